//! The IAM Identity Center seam: each account assignment lets a user (or every member of a
//! group) of the identity store into the account as the permission set's reserved role,
//! `AWSReservedSSO_<set>_<16 hex>`, joined by (account, permission-set name), never by the
//! hash. Users and groups become nodes of the source that holds the answers; their SCIM
//! external ids are kept (the key to the identity provider's own objects).

use super::{Item, id_of};
use crate::coverage::{IDENTITY_CENTER, SeamTally};
use crate::import::identity_center::IdentityCenter;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn join(
    nodes: &mut Vec<Item>,
    edges: &mut Vec<Item>,
    centers: &[(&str, IdentityCenter)],
    accounts: &BTreeSet<String>,
    tally: &mut SeamTally,
) {
    if centers.is_empty() {
        tally.not_evaluated(
            IDENTITY_CENTER,
            "no aws-iam source names Identity Center answers (`identity_center`)",
        );
        return;
    }
    tally.evaluated(IDENTITY_CENTER);
    // Reserved roles by (account, permission set).
    let mut roles: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for n in nodes.iter() {
        let Some(arn) = n.get("aws_arn").and_then(Value::as_str) else {
            continue;
        };
        if n.contains_key("k8s_source") {
            continue;
        }
        let Some(a) = crate::import::aws::parse_arn(arn) else {
            continue;
        };
        let name = a.resource.rsplit('/').next().unwrap_or_default();
        if let Some(set) = super::permission_set(name) {
            roles
                .entry((a.account.to_string(), set.to_string()))
                .or_default()
                .push(id_of(n).to_string());
        }
    }
    let obj = |v: Value| v.as_object().cloned().unwrap_or_default();
    let mut made = 0;
    for (source, ic) in centers {
        let user_id = |id: &str| format!("{source}:identitystore:user:{id}");
        let group_id = |id: &str| format!("{source}:identitystore:group:{id}");
        let mut known: BTreeSet<String> = BTreeSet::new();
        for (kind, list, make) in [
            ("human", &ic.users, &user_id as &dyn Fn(&str) -> String),
            ("group", &ic.groups, &group_id),
        ] {
            for p in list {
                let id = make(&p.id);
                let key = id
                    .strip_prefix(&format!("{source}:"))
                    .unwrap_or(&id)
                    .to_string();
                let mut n = json!({"id": id, "kind": kind, "name": p.name, "source": source, "native_key": key});
                if !p.external_ids.is_empty() {
                    n["scim_external_ids"] = json!(p.external_ids);
                }
                nodes.push(obj(n));
                known.insert(id);
            }
        }
        for (g, u) in &ic.memberships {
            let (g, u) = (group_id(g), user_id(u));
            if known.contains(&g) && known.contains(&u) {
                edges.push(obj(json!({"from": u, "to": g, "kind": "member_of",
                    "derived_from": ["identitystore list-group-memberships"]})));
            }
        }
        for a in &ic.assignments {
            let principal = if a.principal_type == "GROUP" {
                group_id(&a.principal_id)
            } else {
                user_id(&a.principal_id)
            };
            let what = format!(
                "assignment of {} {} in account {}",
                a.principal_type.to_ascii_lowercase(),
                a.principal_id,
                a.account
            );
            if !known.contains(&principal) {
                tally.undecided(
                    IDENTITY_CENTER,
                    source,
                    what,
                    "the principal is in no list-users or list-groups answer: not drawn",
                );
                continue;
            }
            let Some(set) = ic.permission_sets.get(&a.permission_set_arn) else {
                tally.undecided(
                    IDENTITY_CENTER,
                    source,
                    what,
                    "its permission set has no describe-permission-set answer, so its role is not known: not drawn",
                );
                continue;
            };
            match roles.get(&(a.account.clone(), set.clone())) {
                Some(found) => {
                    for role in found {
                        edges.push(obj(json!({
                            "from": principal, "to": role, "kind": "assumes",
                            "seam": IDENTITY_CENTER,
                            "derived_from": [format!("Identity Center assignment of permission set {set} in account {}", a.account)],
                        })));
                        made += 1;
                    }
                }
                None => tally.undecided(
                    IDENTITY_CENTER,
                    source,
                    format!("{what} (permission set {set})"),
                    if accounts.contains(&a.account) {
                        "the account's export has no AWSReservedSSO role of this permission set"
                    } else {
                        "the account is not in the estate"
                    },
                ),
            }
        }
    }
    tally.made(IDENTITY_CENTER, made);
}
