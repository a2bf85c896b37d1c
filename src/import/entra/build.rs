//! The graph drawn from the tables [`super::records`] filled: nodes for the tenant, its
//! people and guests, groups, applications, service principals and roles; edges for
//! membership, ownership, role assignments, PIM eligibility, Microsoft Graph application
//! permissions, app role assignments and federated credentials (docs/entra-import.md).

use super::catalogue;
use super::ids;
use super::records::{App, Tenant};
use crate::diagnostics::{Diagnostic, Diagnostics, codes, quote};
use crate::import::GraphBuilder;
use crate::model::{EdgeKind, Level, NodeKind};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

pub(super) struct Builder<'a> {
    pub(super) t: &'a Tenant,
    pub(super) g: GraphBuilder,
    pub(super) d: &'a mut Diagnostics,
    pub(super) tenant: String,
    pub(super) misconfigured: Vec<(String, String, String)>,
}

impl Builder<'_> {
    fn warn(&mut self, message: String, help: &str) {
        self.d
            .push(Diagnostic::warning(codes::ENTRA_RECORD, None, message).help(help));
    }

    pub(super) fn build(&mut self) {
        self.tenant();
        self.users();
        self.groups();
        self.apps();
        self.memberships();
        self.ownership();
        self.roles();
        self.app_roles();
        self.fics();
        // Control of the tenant is control of everything in it: whoever reaches the tenant
        // reaches its applications, service principals and groups too.
        let home = self.tenant_node();
        for suffix in [
            catalogue::APPLICATIONS,
            catalogue::SERVICE_PRINCIPALS,
            catalogue::GROUPS,
        ] {
            let cover = format!("{home}{suffix}");
            if self.g.has_node(&cover) {
                self.g.edge(
                    &home,
                    &cover,
                    EdgeKind::AdminOf,
                    Level::Admin,
                    "control of the tenant is control of everything in it",
                );
            }
        }
    }

    fn tenant_node(&self) -> String {
        ids::tenant(&self.tenant)
    }

    fn tenant(&mut self) {
        let t = self.t;
        // One collection is one tenant: the one marked collected, else the one its objects
        // name. Records of two tenants would join one tenant's admins to another's roles.
        let mut named: BTreeSet<&String> = t.collected.iter().collect();
        named.extend(&t.ids);
        if t.collected.len() > 1 || named.len() > 1 {
            let listed: Vec<&str> = named.iter().map(|s| s.as_str()).collect();
            self.d.push(
                Diagnostic::error(
                    codes::ENTRA_TENANTS,
                    None,
                    format!("the records are of several tenants ({}): one collection is of one tenant", listed.join(", ")),
                )
                .help("import each tenant's AzureHound files on their own (in an estate, one entra source each)"),
            );
        }
        self.tenant = named
            .into_iter()
            .next()
            .cloned()
            .unwrap_or_else(|| "unknown".into());
        let id = self.tenant_node();
        let name = t.names.get(&self.tenant).cloned();
        let n = self.g.node(&id, NodeKind::Tenant);
        n.name = Some(name.map_or_else(
            || format!("Entra tenant {}", self.tenant),
            |n| format!("Entra tenant {n}"),
        ));
        n.tags.insert("tier0".into());
        n.properties
            .insert("entra_tenant_id".into(), json!(self.tenant));
    }

    /// The tenant's cover group `suffix` (`catalogue::APPLICATIONS`…): what a tenant-wide
    /// permission reaches, made when first needed.
    fn cover(&mut self, suffix: &str) -> String {
        let home = self.tenant_node();
        let cid = format!("{home}{suffix}");
        let name = match suffix {
            catalogue::APPLICATIONS => "every application and service principal of the tenant",
            catalogue::SERVICE_PRINCIPALS => "every service principal of the tenant",
            _ => "every group of the tenant that is not role-assignable",
        };
        let c = self.g.node(&cid, NodeKind::Group);
        c.name = Some(name.to_string());
        c.org = Some(home);
        cid
    }

    fn users(&mut self) {
        let home = self.tenant_node();
        for (id, u) in &self.t.users {
            let org = if u.guest {
                let domain = guest_domain(&u.upn);
                let did = ids::domain(domain.as_deref().unwrap_or("unknown"));
                let p = self.g.node(&did, NodeKind::Partner);
                p.name = Some(match &domain {
                    Some(d) => format!("home organisation of guests from {d}"),
                    None => "home organisation of guests whose domain is unknown".into(),
                });
                if let Some(d) = &domain {
                    p.properties.insert("domain".into(), json!(d));
                }
                did
            } else {
                home.clone()
            };
            let n = self.g.node(&ids::user(id), NodeKind::Human);
            n.name = Some(u.name.clone().unwrap_or_else(|| u.upn.clone()));
            n.org = Some(org);
            if !u.upn.is_empty() {
                n.properties.insert("entra_upn".into(), json!(u.upn));
            }
            if let Some(m) = &u.mail {
                n.properties.insert("entra_mail".into(), json!(m));
            }
            if u.guest {
                n.properties.insert("entra_guest".into(), json!(true));
            }
            if !u.enabled {
                n.properties.insert("status".into(), json!("disabled"));
            }
        }
    }

    fn groups(&mut self) {
        let home = self.tenant_node();
        for (id, g) in &self.t.groups {
            let gid = ids::group(id);
            let n = self.g.node(&gid, NodeKind::Group);
            n.name = g.name.clone();
            n.org = Some(home.clone());
            if g.role_assignable {
                n.properties
                    .insert("entra_role_assignable".into(), json!(true));
                // Outside what group permissions reach; control of the tenant reaches it.
                self.g.edge(
                    &home,
                    &gid,
                    EdgeKind::AdminOf,
                    Level::Admin,
                    "control of the tenant reaches a role-assignable group (a Privileged Role Administrator manages it)",
                );
            } else {
                let cover = self.cover(catalogue::GROUPS);
                self.g.edge(
                    &cover,
                    &gid,
                    EdgeKind::AdminOf,
                    Level::Admin,
                    "a permission over every group that is not role-assignable covers it",
                );
            }
        }
    }

    fn apps(&mut self) {
        let home = self.tenant_node();
        let t = self.t;
        let known_apps: BTreeSet<&String> = t
            .apps
            .keys()
            .chain(t.fics.iter().map(|f| &f.app_id))
            .collect();
        let apps_cover = (!known_apps.is_empty() || !t.sps.is_empty())
            .then(|| self.cover(catalogue::APPLICATIONS));
        let sps_cover = (!t.sps.is_empty()).then(|| self.cover(catalogue::SERVICE_PRINCIPALS));
        let unlisted = App::default();
        for app_id in known_apps {
            // An application known only from its federated credentials is still one.
            let a = t.apps.get(app_id).unwrap_or(&unlisted);
            let aid = ids::app(app_id);
            let n = self.g.node(&aid, NodeKind::App);
            n.name = a.name.clone().or_else(|| {
                (!t.apps.contains_key(app_id))
                    .then(|| format!("application {app_id} (known from its federated credentials)"))
            });
            n.org = Some(home.clone());
            if let Some(x) = &a.audience {
                n.properties
                    .insert("entra_sign_in_audience".into(), json!(x));
            }
            if let Some(x) = &a.publisher {
                n.properties
                    .insert("entra_publisher_domain".into(), json!(x));
            }
            if let Some(c) = &apps_cover {
                self.g.edge(
                    c,
                    &aid,
                    EdgeKind::AdminOf,
                    Level::Admin,
                    "a permission over every application covers it",
                );
            }
            for (kind, key, name, end) in &a.secrets {
                let sid = ids::secret(app_id, key);
                let c = self.g.node(&sid, NodeKind::Credential);
                c.credential_type = Some(kind);
                c.name = Some(format!(
                    "{} {} of {}",
                    if *kind == "certificate" {
                        "certificate"
                    } else {
                        "client secret"
                    },
                    name.as_deref().unwrap_or(key),
                    a.name.as_deref().unwrap_or(app_id)
                ));
                c.org = Some(home.clone());
                if let Some(end) = end
                    .as_deref()
                    .and_then(|e| crate::timestamp::Timestamp::parse(e).ok())
                {
                    c.properties
                        .insert("expires_at".into(), json!(end.to_string()));
                }
                self.g.edge(
                    &aid,
                    &sid,
                    EdgeKind::Holds,
                    Level::Admin,
                    "the application's credential (passwordCredentials, keyCredentials)",
                );
            }
        }
        for (id, sp) in &self.t.sps {
            let sid = ids::sp(id);
            let first_party = sp
                .owner_org
                .as_deref()
                .and_then(catalogue::microsoft_tenant);
            let foreign = sp
                .owner_org
                .as_deref()
                .filter(|o| *o != self.tenant && first_party.is_none());
            let n = self.g.node(&sid, NodeKind::Service);
            n.name = sp.name.clone();
            n.org = Some(home.clone());
            n.properties.insert("entra_app_id".into(), json!(sp.app_id));
            if let Some(t) = &sp.sp_type {
                n.properties
                    .insert("entra_service_principal_type".into(), json!(t));
            }
            if let Some(fp) = first_party {
                n.properties.insert("entra_first_party".into(), json!(fp));
            }
            if !sp.enabled {
                n.properties.insert("status".into(), json!("disabled"));
            }
            for c in apps_cover.iter().chain(&sps_cover) {
                let why = if Some(c) == sps_cover.as_ref() {
                    "a permission over every service principal covers it"
                } else {
                    "a permission over every application covers its service principal"
                };
                self.g.edge(c, &sid, EdgeKind::AdminOf, Level::Admin, why);
            }
            if sp.app_id.is_empty() {
                continue;
            }
            let aid = ids::app(&sp.app_id);
            if let Some(owner) = foreign {
                // A multi-tenant application registered in another tenant: whoever owns it
                // there controls this service principal's credentials and so its privileges.
                let pid = ids::tenant(owner);
                let p = self.g.node(&pid, NodeKind::Partner);
                p.name = Some(format!("Entra tenant {owner}"));
                p.properties.insert("entra_tenant_id".into(), json!(owner));
                let p = self.g.node(&pid, NodeKind::Partner);
                if let Some(name) = &sp.name {
                    p.name = Some(format!("Entra tenant {owner} (registers {name})"));
                }
                let a = self.g.node(&aid, NodeKind::App);
                if a.name.is_none() {
                    a.name = Some(format!(
                        "{} (registered in tenant {owner})",
                        sp.name.as_deref().unwrap_or(&sp.app_id)
                    ));
                }
                a.org = Some(pid.clone());
                a.properties
                    .insert("entra_partner_controlled".into(), json!(true));
                self.g.edge(
                    &pid,
                    &aid,
                    EdgeKind::AdminOf,
                    Level::Admin,
                    "its registration lives in the other tenant (appOwnerOrganizationId), whose owners control it",
                );
            } else if first_party.is_some() || !self.g.has_node(&aid) {
                continue;
            }
            self.g.edge(
                &aid,
                &sid,
                EdgeKind::Assumes,
                Level::Admin,
                "the application signs in as its service principal (same appId)",
            );
            let secrets: Vec<String> = self
                .t
                .apps
                .get(&sp.app_id)
                .into_iter()
                .flat_map(|a| {
                    a.secrets
                        .iter()
                        .map(|(_, k, _, _)| ids::secret(&sp.app_id, k))
                })
                .collect();
            for s in secrets {
                self.g.edge(
                    &s,
                    &sid,
                    EdgeKind::AuthenticatesAs,
                    Level::Admin,
                    "a credential of the application signs in as its service principal",
                );
            }
        }
    }

    /// The node of a directory object by its id; `None` when the file does
    /// not have it (then a placeholder is not made: the edge would go nowhere known).
    fn object(&self, id: &str) -> Option<String> {
        // Object ids are unique across users, groups and service principals: the table
        // that holds it says what it is, whatever `@odata.type` the record gave.
        let t = self.t;
        if t.users.contains_key(id) {
            Some(ids::user(id))
        } else if t.groups.contains_key(id) {
            Some(ids::group(id))
        } else {
            t.sps.contains_key(id).then(|| ids::sp(id))
        }
    }

    fn memberships(&mut self) {
        let mut unknown = 0;
        for (group, member, odata) in &self.t.members {
            if !self.t.groups.contains_key(group) {
                unknown += 1;
                continue;
            }
            match self.object(member) {
                Some(m) => {
                    self.g.edge(
                        &m,
                        &ids::group(group),
                        EdgeKind::MemberOf,
                        Level::Admin,
                        "group member (AZGroupMember)",
                    );
                }
                None if odata == "device" || odata == "orgContact" => {}
                None => unknown += 1,
            }
        }
        if unknown > 0 {
            self.warn(
                format!("{unknown} group membership(s) name a group or member the files do not list: not drawn"),
                "give every AzureHound file of the collection (users, groups, service principals)",
            );
        }
    }

    fn ownership(&mut self) {
        let mut unknown = 0;
        let mut owned: BTreeMap<String, BTreeSet<(bool, String)>> = BTreeMap::new();
        for (what, target, owner) in &self.t.owners {
            let tid = match *what {
                "group" => self
                    .t
                    .groups
                    .contains_key(target)
                    .then(|| ids::group(target)),
                "app" => (self.t.apps.contains_key(target)).then(|| ids::app(target)),
                _ => self.t.sps.contains_key(target).then(|| ids::sp(target)),
            };
            let (Some(tid), Some(oid)) = (tid, self.object(owner)) else {
                unknown += 1;
                continue;
            };
            let why = match *what {
                "group" => "group owner: can add members, itself among them",
                "app" => "application owner: can add a credential and sign in as it",
                _ => "service principal owner: can add a credential and sign in as it",
            };
            self.g
                .edge(&oid, &tid, EdgeKind::AdminOf, Level::Admin, why);
            owned
                .entry(tid)
                .or_default()
                .insert((!oid.starts_with("entra:user:"), oid));
        }
        // The accountable owner of an application, a service principal and the application's
        // credentials: its first owner, people before services.
        for (tid, owners) in owned {
            let Some((_, first)) = owners.into_iter().next() else {
                continue;
            };
            let secrets: Vec<String> = tid
                .strip_prefix("entra:app:")
                .and_then(|app_id| self.t.apps.get(app_id).map(|a| (app_id, a)))
                .into_iter()
                .flat_map(|(app_id, a)| {
                    a.secrets
                        .iter()
                        .map(move |(_, k, _, _)| ids::secret(app_id, k))
                })
                .collect();
            if tid.starts_with("entra:group:") {
                continue;
            }
            for id in std::iter::once(tid).chain(secrets) {
                if let Some(n) = self
                    .g
                    .get_node(&id)
                    .is_some()
                    .then(|| self.g.node(&id, NodeKind::App))
                {
                    n.owner = Some(first.clone());
                }
            }
        }
        if unknown > 0 {
            self.warn(
                format!(
                    "{unknown} owner(s) name an object or owner the files do not list: not drawn"
                ),
                "give every AzureHound file of the collection",
            );
        }
    }

    fn role_node(&mut self, role: &str) -> String {
        let (template, name) = self
            .t
            .roles
            .get(role)
            .cloned()
            .unwrap_or_else(|| (role.to_string(), None));
        let rid = ids::role(&template, &self.tenant);
        let home = self.tenant_node();
        let known = catalogue::role(&template);
        let n = self.g.node(&rid, NodeKind::Group);
        n.name = name
            .or_else(|| known.map(|k| k.name.to_string()))
            .or_else(|| Some(format!("directory role {template}")));
        n.org = Some(home.clone());
        n.properties
            .insert("entra_role_template_id".into(), json!(template));
        let Some(k) = known else { return rid };
        let (to, why) = match k.power {
            catalogue::Power::Tenant => {
                self.g
                    .node(&rid, NodeKind::Group)
                    .tags
                    .insert("tier0".into());
                (home.clone(), k.why)
            }
            catalogue::Power::Applications => (self.cover(catalogue::APPLICATIONS), k.why),
            catalogue::Power::Groups => (self.cover(catalogue::GROUPS), k.why),
        };
        self.g.edge(&rid, &to, EdgeKind::AdminOf, Level::Admin, why);
        rid
    }

    /// Where an assignment of `role` scoped to `scope` lands: the role node when it is
    /// tenant-wide (`/`); the application (or, when the tenant holds only its service
    /// principal, the service principal with that appId) for an application-administering
    /// role scoped to `/APP_ID`; `None` when the scope names nothing the files hold or a
    /// role whose power there is not modelled.
    fn scoped_target(
        &mut self,
        role: &str,
        scope: &str,
    ) -> Option<(String, EdgeKind, &'static str)> {
        if scope == "/" {
            let rid = self.role_node(role);
            return Some((
                rid,
                EdgeKind::MemberOf,
                "directory role assignment, tenant-wide (directoryScopeId /)",
            ));
        }
        let t = self.t;
        let template = t.roles.get(role).map_or(role, |(tpl, _)| tpl.as_str());
        let administers_apps = catalogue::role(template)
            .is_some_and(|k| matches!(k.power, catalogue::Power::Applications));
        if !administers_apps {
            return None;
        }
        let app_id = scope.trim_start_matches('/');
        let why = "directory role assignment scoped to the application (directoryScopeId /APPID)";
        if self.g.has_node(&ids::app(app_id)) {
            return Some((ids::app(app_id), EdgeKind::AdminOf, why));
        }
        t.sp_by_app
            .get(app_id)
            .map(|id| (ids::sp(id), EdgeKind::AdminOf, why))
    }

    fn roles(&mut self) {
        let t = self.t;
        let mut unknown = 0;
        let mut flattened = 0;
        let mut unresolved = 0;
        for a in &t.assignments {
            let Some(p) = self.object(&a.principal) else {
                unknown += 1;
                continue;
            };
            let Some((to, kind, why)) = self.scoped_target(&a.role, &a.scope) else {
                unresolved += 1;
                continue;
            };
            self.g.edge(&p, &to, kind, Level::Admin, why);
            if a.flattened {
                flattened += 1;
                if let Some(e) = self.g.edge_mut(&p, &to, kind) {
                    e.properties
                        .insert("entra_scope_approximated".into(), json!(true));
                }
            }
        }
        // PIM: an eligible assignment is latent. It is a disabled node between the principal
        // and what the role gives at its scope, so that only the inactive-path queries
        // follow it.
        for a in &t.eligible {
            let Some(p) = self.object(&a.principal) else {
                unknown += 1;
                continue;
            };
            let Some((to, kind, _)) = self.scoped_target(&a.role, &a.scope) else {
                unresolved += 1;
                continue;
            };
            let rid = self.role_node(&a.role);
            let eid = ids::eligible(&p, &to);
            let name_of = |g: &GraphBuilder, id: &str| {
                g.get_node(id)
                    .and_then(|n| n.name.clone())
                    .unwrap_or_else(|| id.to_string())
            };
            let name = if to == rid {
                format!(
                    "eligibility of {} for {}",
                    name_of(&self.g, &p),
                    name_of(&self.g, &rid)
                )
            } else {
                format!(
                    "eligibility of {} for {} over {}",
                    name_of(&self.g, &p),
                    name_of(&self.g, &rid),
                    name_of(&self.g, &to)
                )
            };
            let home = self.tenant_node();
            let n = self.g.node(&eid, NodeKind::Group);
            n.name = Some(name);
            n.org = Some(home);
            n.properties.insert("status".into(), json!("disabled"));
            n.properties
                .insert("entra_pim_eligible".into(), json!(true));
            n.properties.insert("entra_scope".into(), json!(a.scope));
            self.g.edge(
                &p,
                &eid,
                EdgeKind::MemberOf,
                Level::Admin,
                "PIM eligibility (AZRoleEligibilityScheduleInstance): activating it is one step",
            );
            let why = "what an activated eligibility assigns";
            if kind == EdgeKind::MemberOf {
                self.g
                    .edge(&eid, &to, EdgeKind::MemberOf, Level::Admin, why);
            } else {
                self.g.edge(&eid, &to, EdgeKind::AdminOf, Level::Admin, why);
            }
        }
        if unknown > 0 {
            self.warn(
                format!("{unknown} directory role assignment(s) or eligibilities name a principal the files do not list: not drawn"),
                "give every AzureHound file of the collection",
            );
        }
        if flattened > 0 {
            self.warn(
                format!("{flattened} directory role assignment(s) are scoped to something AzureHound writes as / (an administrative unit): drawn tenant-wide, marked entra_scope_approximated"),
                "check those assignments' scope in the Entra admin center",
            );
        }
        if unresolved > 0 {
            self.warn(
                format!("{unresolved} directory role assignment(s) or eligibilities are scoped to something the files do not hold (an object id, an administrative unit), or give a role whose power at that scope is not modelled: not drawn"),
                "check those assignments' scope in the Entra admin center",
            );
        }
    }

    fn app_roles(&mut self) {
        let t = self.t;
        let home = self.tenant_node();
        for a in &t.app_role_assignments {
            let Some(p) = self.object(&a.principal) else {
                continue;
            };
            let resource_app = t
                .sps
                .get(&a.resource)
                .map(|s| s.app_id.clone())
                .or_else(|| a.resource_app.clone())
                .unwrap_or_default();
            if resource_app == catalogue::MICROSOFT_GRAPH {
                // Only a service principal holds an application permission.
                if !p.starts_with("entra:sp:") {
                    continue;
                }
                if let Some(perm) = catalogue::graph_permission(&a.app_role) {
                    let to = match perm.reach {
                        catalogue::Power::Tenant => home.clone(),
                        _ => self.cover(perm.cover),
                    };
                    let why = format!(
                        "Microsoft Graph application permission {}: {}",
                        perm.name, perm.why
                    );
                    self.g.edge(&p, &to, EdgeKind::AdminOf, Level::Admin, &why);
                    continue;
                }
            }
            // Any other application's role is kept, so that what it means elsewhere (an
            // AWS role through SAML) can be joined.
            if !t.sps.contains_key(&a.resource) {
                continue;
            }
            let rid = ids::app_role(&a.resource, &a.app_role);
            let sp = &t.sps[&a.resource];
            let value = sp.app_roles.get(&a.app_role).cloned();
            let n = self.g.node(&rid, NodeKind::Group);
            n.name = Some(format!(
                "{} of {}",
                value
                    .as_deref()
                    .map_or_else(|| "default access".to_string(), |v| format!("app role {v}")),
                sp.name.as_deref().unwrap_or(&a.resource)
            ));
            n.org = Some(home.clone());
            if let Some(v) = value {
                n.properties.insert("entra_app_role_value".into(), json!(v));
            }
            if sp.aws_saml {
                // Its assertions are the ones AWS checks against the SAML provider.
                n.properties.insert("entra_aws_saml".into(), json!(true));
            }
            n.properties
                .insert("entra_resource_app_id".into(), json!(sp.app_id));
            self.g.edge(
                &p,
                &rid,
                EdgeKind::MemberOf,
                Level::Admin,
                "app role assignment (AZAppRoleAssignment)",
            );
        }
    }

    fn fics(&mut self) {
        let t = self.t;
        for f in &t.fics {
            let aid = ids::app(&f.app_id);
            let name = f.name.clone().unwrap_or_else(|| f.id.clone());
            if let Some(s) = &f.subject
                && f.expression.is_none()
                && s.contains('*')
            {
                // A classic credential's subject is compared exactly: `*` is a literal no
                // token carries, so it lets nobody in.
                let label = self
                    .g
                    .get_node(&aid)
                    .and_then(|n| n.name.clone())
                    .unwrap_or_else(|| aid.clone());
                self.misconfigured.push((label, name.clone(), s.clone()));
                let msg = format!(
                    "federated credential {} of application {} has subject {}: a classic credential matches its subject exactly, so this `*` matches no token; not drawn",
                    quote(&name),
                    quote(&f.app_id),
                    quote(s)
                );
                self.warn(msg, "use a flexible credential (claimsMatchingExpression) or one credential per branch or environment");
                continue;
            }
            // The issuer stands for whoever it gives a token that matches: the estate
            // resolves it (a GitHub branch, environment or repository); alone, it is the
            // outside party the credential lets in. One edge per issuer and application,
            // listing each credential.
            let iid = ids::issuer(&f.issuer);
            let i = self.g.node(&iid, NodeKind::App);
            i.name = Some(format!("tokens of {}", f.issuer));
            i.properties.insert("entra_issuer".into(), json!(f.issuer));
            let to = t.sp_by_app.get(&f.app_id).map_or(aid, |id| ids::sp(id));
            let why = match (&f.subject, &f.expression) {
                (_, Some(e)) => format!(
                    "federated credential {name}: a token of {} whose claims match {e}",
                    f.issuer
                ),
                (Some(s), None) => format!(
                    "federated credential {name}: a token of {} with subject {s}",
                    f.issuer
                ),
                (None, None) => format!("federated credential {name}: a token of {}", f.issuer),
            };
            let e = self
                .g
                .edge(&iid, &to, EdgeKind::Assumes, Level::Admin, &why);
            let mut fic = serde_json::Map::new();
            fic.insert("id".into(), json!(f.id));
            fic.insert("name".into(), json!(name));
            if let Some(s) = &f.subject {
                fic.insert("subject".into(), json!(s));
            }
            if let Some(x) = &f.expression {
                fic.insert("claims_matching_expression".into(), json!(x));
            }
            fic.insert("audiences".into(), json!(f.audiences));
            match e.properties.get_mut("entra_federated_credentials") {
                Some(Value::Array(list)) => list.push(Value::Object(fic)),
                _ => {
                    e.properties.insert(
                        "entra_federated_credentials".into(),
                        json!([Value::Object(fic)]),
                    );
                }
            }
        }
    }
}

/// The home domain a guest's UPN names: `jo_fabrikam.com#EXT#@contoso.onmicrosoft.com` →
/// `fabrikam.com` (the last `_` of the local part stands for the `@`).
pub fn guest_domain(upn: &str) -> Option<String> {
    let upper = upn.to_ascii_uppercase();
    let at = upper.find("#EXT#")?;
    let local = &upn[..at];
    let (_, domain) = local.rsplit_once('_')?;
    (!domain.is_empty() && domain.contains('.')).then(|| domain.to_ascii_lowercase())
}
