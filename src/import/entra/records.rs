//! What the importer keeps of AzureHound's records: each record taken in as it streams
//! by, into compact tables keyed by lower-cased GUIDs, before any edge is drawn (records
//! come in any order).

use super::azurehound::Record;
use super::catalogue;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// GUIDs compare case-insensitively: one case for all.
fn guid(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

/// A string field; AzureHound writes absent ones empty.
fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    crate::source::str_of(v, key).filter(|s| !s.is_empty())
}

fn guid_of(v: &Value, key: &str) -> Option<String> {
    str_of(v, key).map(guid)
}

/// Go's `omitempty` drops `false`: an absent boolean is false.
fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

#[derive(Clone, Debug, Default)]
pub(super) struct User {
    pub(super) upn: String,
    pub(super) name: Option<String>,
    pub(super) guest: bool,
    pub(super) enabled: bool,
    pub(super) mail: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Group {
    pub(super) name: Option<String>,
    pub(super) role_assignable: bool,
}

#[derive(Clone, Debug, Default)]
pub(super) struct App {
    pub(super) name: Option<String>,
    pub(super) audience: Option<String>,
    pub(super) publisher: Option<String>,
    /// (kind, key id, name, end).
    pub(super) secrets: Vec<(&'static str, String, Option<String>, Option<String>)>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Sp {
    pub(super) app_id: String,
    pub(super) name: Option<String>,
    pub(super) owner_org: Option<String>,
    pub(super) sp_type: Option<String>,
    pub(super) enabled: bool,
    /// App role id → its value.
    pub(super) app_roles: BTreeMap<String, String>,
    /// It signs SAML assertions for AWS (a `servicePrincipalNames` entry is AWS's sign-in).
    pub(super) aws_saml: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Assignment {
    pub(super) principal: String,
    pub(super) role: String,
    /// `/` or `/<app client id>`.
    pub(super) scope: String,
    /// AzureHound rewrote a scope it could not name to `/`.
    pub(super) flattened: bool,
}

#[derive(Clone, Debug)]
pub(super) struct AppRoleAssignment {
    pub(super) principal: String,
    pub(super) resource: String,
    pub(super) resource_app: Option<String>,
    pub(super) app_role: String,
}

#[derive(Clone, Debug)]
pub(super) struct Fic {
    pub(super) app_id: String,
    pub(super) id: String,
    pub(super) name: Option<String>,
    pub(super) issuer: String,
    pub(super) subject: Option<String>,
    pub(super) expression: Option<String>,
    pub(super) audiences: Vec<String>,
}

/// Everything read from the files, before the graph is drawn.
#[derive(Debug, Default)]
pub(super) struct Tenant {
    /// The tenants the records of objects name (every kind but `AZTenant`).
    pub(super) ids: BTreeSet<String>,
    pub(super) names: BTreeMap<String, String>,
    /// The tenants marked `collected`: the collection's own.
    pub(super) collected: BTreeSet<String>,
    pub(super) users: BTreeMap<String, User>,
    pub(super) groups: BTreeMap<String, Group>,
    pub(super) apps: BTreeMap<String, App>,
    pub(super) sps: BTreeMap<String, Sp>,
    /// An application's service principal in the tenant, by `appId` (the first by id).
    pub(super) sp_by_app: BTreeMap<String, String>,
    /// Role definition id → template id and name.
    pub(super) roles: BTreeMap<String, (String, Option<String>)>,
    /// (group, member, its `@odata.type`).
    pub(super) members: Vec<(String, String, String)>,
    /// (what kind is owned, its id, the owner).
    pub(super) owners: Vec<(&'static str, String, String)>,
    pub(super) assignments: Vec<Assignment>,
    pub(super) eligible: Vec<Assignment>,
    pub(super) app_role_assignments: Vec<AppRoleAssignment>,
    pub(super) fics: Vec<Fic>,
    /// Kinds read but not modelled, with their count.
    pub(super) skipped: BTreeMap<String, usize>,
}

/// The odata type of a directory object, short: `user`, `group`, `servicePrincipal`.
fn odata(v: &Value) -> String {
    str_of(v, "@odata.type")
        .map(|t| t.trim_start_matches("#microsoft.graph.").to_string())
        .unwrap_or_default()
}

impl Tenant {
    /// Takes in one record; an error says why it cannot be read.
    pub(super) fn take(&mut self, r: &Record) -> Result<(), String> {
        let v = &r.data;
        if let Some(t) = guid_of(v, "tenantId") {
            // An AZTenant record may list another tenant the collector could see.
            if r.kind != "AZTenant" {
                self.ids.insert(t.clone());
            }
            if let Some(n) = str_of(v, "tenantName") {
                self.names.entry(t).or_insert_with(|| n.to_string());
            }
        }
        let need = |key: &str| guid_of(v, key).ok_or_else(|| format!("{} without `{key}`", r.kind));
        match r.kind.as_str() {
            "AZTenant" => {
                let id = need("tenantId")?;
                if flag(v, "collected") {
                    self.collected.insert(id.clone());
                }
                if let Some(n) = str_of(v, "displayName") {
                    self.names.insert(id, n.to_string());
                }
            }
            "AZUser" => {
                let id = need("id")?;
                let upn = str_of(v, "userPrincipalName")
                    .unwrap_or_default()
                    .to_string();
                let guest = str_of(v, "userType").is_some_and(|t| t.eq_ignore_ascii_case("guest"))
                    || upn.to_ascii_uppercase().contains("#EXT#");
                self.users.insert(
                    id,
                    User {
                        upn,
                        name: str_of(v, "displayName").map(str::to_string),
                        guest,
                        enabled: flag(v, "accountEnabled"),
                        mail: str_of(v, "mail").map(str::to_string),
                    },
                );
            }
            "AZGroup" => {
                let id = need("id")?;
                self.groups.insert(
                    id,
                    Group {
                        name: str_of(v, "displayName").map(str::to_string),
                        role_assignable: flag(v, "isAssignableToRole"),
                    },
                );
            }
            "AZGroupMember" => {
                let group = need("groupId")?;
                for m in list(v, "members") {
                    let member = m.get("member").unwrap_or(m);
                    if let Some(id) = guid_of(member, "id") {
                        self.members.push((group.clone(), id, odata(member)));
                    }
                }
            }
            "AZGroupOwner" | "AZAppOwner" | "AZServicePrincipalOwner" => {
                let (what, key) = match r.kind.as_str() {
                    "AZGroupOwner" => ("group", "groupId"),
                    // The outer appId is the client id; each owner's is the object id.
                    "AZAppOwner" => ("app", "appId"),
                    _ => ("sp", "servicePrincipalId"),
                };
                let target = need(key)?;
                for o in list(v, "owners") {
                    let owner = o.get("owner").unwrap_or(o);
                    if let Some(id) = guid_of(owner, "id") {
                        self.owners.push((what, target.clone(), id));
                    }
                }
            }
            "AZApp" => {
                let app_id = need("appId")?;
                let mut secrets = Vec::new();
                for (field, kind) in [
                    ("passwordCredentials", "client_secret"),
                    ("keyCredentials", "certificate"),
                ] {
                    for c in list(v, field) {
                        if let Some(key) = guid_of(c, "keyId") {
                            secrets.push((
                                kind,
                                key,
                                str_of(c, "displayName").map(str::to_string),
                                str_of(c, "endDateTime").map(str::to_string),
                            ));
                        }
                    }
                }
                self.apps.insert(
                    app_id,
                    App {
                        name: str_of(v, "displayName").map(str::to_string),
                        audience: str_of(v, "signInAudience").map(str::to_string),
                        publisher: str_of(v, "publisherDomain").map(str::to_string),
                        secrets,
                    },
                );
            }
            "AZServicePrincipal" => {
                let id = need("id")?;
                // Only an app role's `value` goes into a token or an assertion.
                let app_roles = list(v, "appRoles")
                    .filter_map(|a| Some((guid_of(a, "id")?, str_of(a, "value")?.to_string())))
                    .collect();
                let aws_saml = list(v, "servicePrincipalNames")
                    .filter_map(Value::as_str)
                    .any(catalogue::is_aws_saml);
                let app_id = guid_of(v, "appId").unwrap_or_default();
                if !app_id.is_empty() {
                    let first = self
                        .sp_by_app
                        .entry(app_id.clone())
                        .or_insert_with(|| id.clone());
                    if id < *first {
                        first.clone_from(&id);
                    }
                }
                self.sps.insert(
                    id,
                    Sp {
                        app_id,
                        name: str_of(v, "displayName").map(str::to_string),
                        owner_org: guid_of(v, "appOwnerOrganizationId"),
                        sp_type: str_of(v, "servicePrincipalType").map(str::to_string),
                        enabled: flag(v, "accountEnabled"),
                        app_roles,
                        aws_saml,
                    },
                );
            }
            "AZRole" => {
                let id = need("id")?;
                let template = guid_of(v, "templateId").unwrap_or_else(|| id.clone());
                self.roles
                    .insert(id, (template, str_of(v, "displayName").map(str::to_string)));
            }
            "AZRoleAssignment" => {
                let outer = guid_of(v, "roleDefinitionId");
                for a in list(v, "roleAssignments") {
                    let Some(principal) = guid_of(a, "principalId") else {
                        continue;
                    };
                    let Some(role) = guid_of(a, "roleDefinitionId").or_else(|| outer.clone())
                    else {
                        continue;
                    };
                    let scope = str_of(a, "directoryScopeId").unwrap_or("/");
                    // AzureHound rewrites a scope to "/<appId>" from the expanded scope
                    // object; one without an appId (an administrative unit) comes out "/".
                    let expanded = a
                        .get("directoryScope")
                        .and_then(|s| str_of(s, "id"))
                        .is_some();
                    self.assignments.push(Assignment {
                        principal,
                        role,
                        scope: guid(scope),
                        flattened: scope == "/" && expanded,
                    });
                }
            }
            "AZRoleEligibilityScheduleInstance" => {
                self.eligible.push(Assignment {
                    principal: need("principalId")?,
                    role: need("roleDefinitionId")?,
                    scope: guid(str_of(v, "directoryScopeId").unwrap_or("/")),
                    flattened: false,
                });
            }
            "AZAppRoleAssignment" => {
                self.app_role_assignments.push(AppRoleAssignment {
                    principal: need("principalId")?,
                    resource: need("resourceId")?,
                    resource_app: guid_of(v, "appId"),
                    app_role: guid_of(v, "appRoleId")
                        .unwrap_or_else(|| catalogue::DEFAULT_ACCESS.into()),
                });
            }
            "AZFederatedIdentityCredential" => {
                let outer = guid_of(v, "appId");
                for f in list(v, "fics") {
                    let fic = f.get("fic").unwrap_or(f);
                    let (Some(app_id), Some(id), Some(issuer)) = (
                        guid_of(f, "appId").or_else(|| outer.clone()),
                        guid_of(fic, "id"),
                        str_of(fic, "issuer"),
                    ) else {
                        continue;
                    };
                    let expression = fic
                        .get("claimsMatchingExpression")
                        .and_then(|e| str_of(e, "value"))
                        .map(str::to_string);
                    self.fics.push(Fic {
                        app_id,
                        id,
                        name: str_of(fic, "name").map(str::to_string),
                        issuer: issuer.to_string(),
                        subject: str_of(fic, "subject").map(str::to_string),
                        expression,
                        audiences: list(fic, "audiences")
                            .filter_map(|a| a.as_str().map(str::to_string))
                            .collect(),
                    });
                }
            }
            other => *self.skipped.entry(other.to_string()).or_default() += 1,
        }
        Ok(())
    }
}

/// A list field: absent and `null` are empty.
fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}
