//! Writes a generated Entra tenant in AzureHound's shape, for measuring `import entra`:
//! `cargo run --release --example entra_tenant -- OUT.json [SCALE]`. SCALE 1 is 200,000
//! users, 20,000 groups, 10,000 applications with their service principals (each user in
//! eight groups, an owner per group and application, a few hundred role assignments and
//! PIM eligibilities, two thousand Graph permissions and app role assignments, a thousand
//! federated credentials); records carry the fields AzureHound writes, empty ones included,
//! so the file's size per object is a real dump's. Deterministic: the same scale gives the
//! same bytes.

use std::io::Write;

fn guid(kind: u32, n: u64) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: entra_tenant OUT.json [SCALE]");
    let scale: f64 = args
        .next()
        .map_or(1.0, |s| s.parse().expect("SCALE is a number"));
    let n = |base: f64| (base * scale).round() as u64;
    let (users, groups, apps) = (n(200_000.0), n(20_000.0), n(10_000.0));
    let tenant = guid(0, 1);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&out)?);
    let mut count = 0u64;
    let mut record = |w: &mut std::io::BufWriter<std::fs::File>,
                      kind: &str,
                      data: String|
     -> std::io::Result<()> {
        let sep = if count == 0 { "" } else { ",\n" };
        count += 1;
        write!(w, "{sep}\t\t{{\"kind\":\"{kind}\",\"data\":{data}}}")
    };
    writeln!(w, "{{\n\t\"data\": [")?;
    record(
        &mut w,
        "AZTenant",
        format!(
            "{{\"id\":\"/tenants/{tenant}\",\"tenantId\":\"{tenant}\",\"displayName\":\"Generated\",\"defaultDomain\":\"generated.onmicrosoft.com\",\"tenantCategory\":\"Home\",\"collected\":true}}"
        ),
    )?;
    for u in 0..users {
        let guest = u % 50 == 0;
        let upn = if guest {
            format!(
                "user{u}_partner{}.example#EXT#@generated.onmicrosoft.com",
                u % 7
            )
        } else {
            format!("user{u}@generated.example")
        };
        let enabled = if u % 40 == 0 {
            ""
        } else {
            "\"accountEnabled\":true,"
        };
        record(
            &mut w,
            "AZUser",
            format!(
                "{{{enabled}\"createdDateTime\":\"2023-0{}-1{}T08:00:00Z\",\"displayName\":\"User {u}\",\"jobTitle\":\"Engineer\",\"lastPasswordChangeDateTime\":\"2025-01-01T00:00:00Z\",\"mail\":\"user{u}@generated.example\",\"onPremisesSecurityIdentifier\":\"S-1-5-21-1004336348-1177238915-682003330-{u}\",\"onPremisesSyncEnabled\":true,\"userPrincipalName\":\"{upn}\",\"userType\":\"{}\",\"id\":\"{}\",\"employeeOrgData\":{{}},\"mailboxSettings\":{{\"automaticRepliesSetting\":{{\"scheduledEndDateTime\":{{}},\"scheduledStartDateTime\":{{}}}},\"language\":{{}},\"workingHours\":{{\"timeZone\":{{}}}}}},\"onPremisesExtensionAttributes\":{{}},\"passwordProfile\":{{}},\"signInActivity\":{{\"lastSignInDateTime\":\"2026-10-2{}T09:00:00Z\"}},\"tenantId\":\"{tenant}\",\"tenantName\":\"Generated\"}}",
                1 + u % 9,
                u % 10,
                if guest { "Guest" } else { "Member" },
                guid(1, u),
                u % 10
            ),
        )?;
    }
    for g in 0..groups {
        let assignable = if g % 1000 == 0 {
            "\"isAssignableToRole\":true,"
        } else {
            ""
        };
        record(
            &mut w,
            "AZGroup",
            format!(
                "{{{assignable}\"id\":\"{}\",\"displayName\":\"Group {g}\",\"description\":\"generated group {g}\",\"securityEnabled\":true,\"createdDateTime\":\"2024-01-01T00:00:00Z\",\"groupTypes\":[],\"mailEnabled\":false,\"mailNickname\":\"group{g}\",\"visibility\":\"Private\",\"onPremisesProvisioningErrors\":[],\"proxyAddresses\":[],\"tenantId\":\"{tenant}\",\"tenantName\":\"Generated\"}}",
                guid(2, g)
            ),
        )?;
    }
    // Each user in eight groups; one record per group, as AzureHound writes them.
    let per_group = (users * 8).div_ceil(groups.max(1));
    for g in 0..groups {
        let gid = guid(2, g);
        let mut members = Vec::with_capacity(per_group as usize + 1);
        for k in 0..per_group {
            let u = (g * 7919 + k * 104_729) % users.max(1);
            members.push(format!("{{\"groupId\":\"{gid}\",\"member\":{{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"{}\",\"displayName\":\"User {u}\",\"createdDateTime\":\"2023-01-01T00:00:00Z\"}}}}", guid(1, u)));
        }
        if g > 0 && g % 10 == 0 {
            members.push(format!("{{\"groupId\":\"{gid}\",\"member\":{{\"@odata.type\":\"#microsoft.graph.group\",\"id\":\"{}\"}}}}", guid(2, g - 1)));
        }
        record(
            &mut w,
            "AZGroupMember",
            format!(
                "{{\"groupId\":\"{gid}\",\"members\":[{}]}}",
                members.join(",")
            ),
        )?;
        record(
            &mut w,
            "AZGroupOwner",
            format!(
                "{{\"groupId\":\"{gid}\",\"owners\":[{{\"groupId\":\"{gid}\",\"owner\":{{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"{}\"}}}}]}}",
                guid(1, (g * 31) % users.max(1))
            ),
        )?;
    }
    let scopes: Vec<String> = (0..40)
        .map(|s| format!("{{\"adminConsentDescription\":\"Allows the app to do thing {s} on behalf of the signed-in user.\",\"adminConsentDisplayName\":\"Do thing {s}\",\"id\":\"{}\",\"isEnabled\":true,\"type\":\"User\",\"userConsentDescription\":\"Allows the app to do thing {s} for you.\",\"userConsentDisplayName\":\"Do thing {s}\",\"value\":\"Thing{s}.ReadWrite\"}}", guid(9, s)))
        .collect();
    let scopes = scopes.join(",");
    for a in 0..apps {
        let app_id = guid(3, a);
        let owner_org = if a % 100 == 0 {
            guid(7, a % 5)
        } else {
            tenant.clone()
        };
        record(
            &mut w,
            "AZApp",
            format!(
                "{{\"id\":\"{}\",\"appId\":\"{app_id}\",\"displayName\":\"App {a}\",\"signInAudience\":\"AzureADMyOrg\",\"publisherDomain\":\"generated.example\",\"createdDateTime\":\"2024-02-01T00:00:00Z\",\"passwordCredentials\":[{{\"keyId\":\"{}\",\"displayName\":\"secret\",\"startDateTime\":\"2025-01-01T00:00:00Z\",\"endDateTime\":\"202{}-01-01T00:00:00Z\",\"hint\":\"abc\"}}],\"keyCredentials\":[],\"requiredResourceAccess\":[{{\"resourceAppId\":\"00000003-0000-0000-c000-000000000000\",\"resourceAccess\":[{{\"id\":\"e1fe6dd8-ba31-4d61-89e7-88639da4683d\",\"type\":\"Scope\"}}]}}],\"web\":{{\"implicitGrantSettings\":{{}},\"redirectUris\":[\"https://app{a}.generated.example/callback\"]}},\"tenantId\":\"{tenant}\",\"tenantName\":\"Generated\"}}",
                guid(4, a),
                guid(8, a),
                5 + a % 3
            ),
        )?;
        record(
            &mut w,
            "AZAppOwner",
            format!(
                "{{\"appId\":\"{app_id}\",\"owners\":[{{\"appId\":\"{}\",\"owner\":{{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"{}\"}}}}]}}",
                guid(4, a),
                guid(1, (a * 17) % users.max(1))
            ),
        )?;
        record(
            &mut w,
            "AZServicePrincipal",
            format!(
                "{{\"id\":\"{}\",\"appId\":\"{app_id}\",\"displayName\":\"App {a}\",\"appDisplayName\":\"App {a}\",\"appOwnerOrganizationId\":\"{owner_org}\",\"servicePrincipalType\":\"Application\",\"accountEnabled\":true,\"appRoles\":[],\"oauth2PermissionScopes\":[{scopes}],\"servicePrincipalNames\":[\"{app_id}\",\"https://app{a}.generated.example\"],\"tags\":[\"WindowsAzureActiveDirectoryIntegratedApp\"],\"verifiedPublisher\":{{}},\"tenantId\":\"{tenant}\",\"tenantName\":\"Generated\"}}",
                guid(5, a)
            ),
        )?;
    }
    // Microsoft Graph's service principal, and the AWS application with one app role.
    let graph_sp = guid(6, 1);
    record(
        &mut w,
        "AZServicePrincipal",
        format!(
            "{{\"id\":\"{graph_sp}\",\"appId\":\"00000003-0000-0000-c000-000000000000\",\"displayName\":\"Microsoft Graph\",\"appOwnerOrganizationId\":\"f8cdef31-a31e-4b4a-93e4-5f571e91255a\",\"servicePrincipalType\":\"Application\",\"accountEnabled\":true,\"tenantId\":\"{tenant}\"}}"
        ),
    )?;
    let perms = [
        "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
        "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        "62a82d76-70ea-41e2-9197-370581804d09",
        "df021288-bdef-4463-88db-98f22de89214",
    ];
    for k in 0..(apps / 5) {
        let sp = guid(5, (k * 5) % apps.max(1));
        let role = perms[(k % 4) as usize];
        record(
            &mut w,
            "AZAppRoleAssignment",
            format!(
                "{{\"id\":\"ara{k}\",\"appRoleId\":\"{role}\",\"principalId\":\"{sp}\",\"principalType\":\"ServicePrincipal\",\"resourceId\":\"{graph_sp}\",\"resourceDisplayName\":\"Microsoft Graph\",\"appId\":\"00000003-0000-0000-c000-000000000000\",\"tenantId\":\"{tenant}\"}}"
            ),
        )?;
    }
    let roles = [
        (
            "62e90394-69f5-4237-9190-012177145e10",
            "Global Administrator",
        ),
        (
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
            "Application Administrator",
        ),
        (
            "729827e3-9c14-49f7-bb1b-9608f156bbb8",
            "Helpdesk Administrator",
        ),
    ];
    for (i, (template, name)) in roles.iter().enumerate() {
        record(
            &mut w,
            "AZRole",
            format!(
                "{{\"id\":\"{template}\",\"templateId\":\"{template}\",\"displayName\":\"{name}\",\"isBuiltIn\":true,\"isEnabled\":true,\"tenantId\":\"{tenant}\"}}"
            ),
        )?;
        let assigned: Vec<String> = (0..(20 + 100 * i as u64))
            .map(|k| format!("{{\"id\":\"as{i}-{k}\",\"principalId\":\"{}\",\"roleDefinitionId\":\"{template}\",\"directoryScopeId\":\"/\",\"roleDefinition\":{{\"id\":\"\"}},\"directoryScope\":{{\"id\":\"\"}},\"appScope\":{{\"id\":\"\"}}}}", guid(1, (k * 977 + i as u64) % users.max(1))))
            .collect();
        record(
            &mut w,
            "AZRoleAssignment",
            format!(
                "{{\"roleDefinitionId\":\"{template}\",\"tenantId\":\"{tenant}\",\"roleAssignments\":[{}]}}",
                assigned.join(",")
            ),
        )?;
        for k in 0..100 {
            record(
                &mut w,
                "AZRoleEligibilityScheduleInstance",
                format!(
                    "{{\"id\":\"el{i}-{k}\",\"roleDefinitionId\":\"{template}\",\"principalId\":\"{}\",\"directoryScopeId\":\"/\",\"startDateTime\":\"2025-06-01T00:00:00Z\",\"tenantId\":\"{tenant}\"}}",
                    guid(1, (k * 1231 + 7) % users.max(1))
                ),
            )?;
        }
    }
    for k in 0..(apps / 10) {
        let app_id = guid(3, k * 10);
        let subject = if k % 25 == 0 {
            format!("repo:generated/repo{k}:*")
        } else {
            format!("repo:generated/repo{k}:ref:refs/heads/main")
        };
        record(
            &mut w,
            "AZFederatedIdentityCredential",
            format!(
                "{{\"appId\":\"{app_id}\",\"tenantId\":\"{tenant}\",\"fics\":[{{\"appId\":\"{app_id}\",\"fic\":{{\"id\":\"{}\",\"name\":\"github\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"{subject}\",\"audiences\":[\"api://AzureADTokenExchange\"]}}}}]}}",
                guid(10, k)
            ),
        )?;
    }
    writeln!(
        w,
        "\n\t],\n\t\"meta\": {{\"type\":\"azure\",\"version\":5,\"count\":{count}}}\n}}"
    )?;
    w.flush()
}
