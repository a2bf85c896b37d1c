//! What Entra's built-in identifiers mean for authority: the directory roles that control
//! the tenant or its applications, the Microsoft Graph application permissions that do, and
//! Microsoft's own tenants. Identifiers are Microsoft's (the role templates and Graph app
//! role ids of its documentation, the same BloodHound's graph schema lists); each entry says
//! what the role or permission lets its holder do, which is what its edge means.

/// The Microsoft Graph application (`appId`), the same in every tenant.
pub const MICROSOFT_GRAPH: &str = "00000003-0000-0000-c000-000000000000";

/// The app role id of an assignment that gives an application's default access.
pub const DEFAULT_ACCESS: &str = "00000000-0000-0000-0000-000000000000";

/// Suffixes of the tenant node's cover groups: what a tenant-wide permission reaches.
pub const APPLICATIONS: &str = "#applications";
pub const SERVICE_PRINCIPALS: &str = "#service-principals";
pub const GROUPS: &str = "#groups";

/// What holding a role or permission gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Power {
    /// Control of the tenant: every role, every credential.
    Tenant,
    /// A credential (or an owner) on every application or service principal.
    Applications,
    /// Members (and owners) of every group that is not role-assignable.
    Groups,
}

/// A directory role with power of its own.
pub struct Role {
    pub template: &'static str,
    pub name: &'static str,
    pub power: Power,
    pub why: &'static str,
}

pub const ROLES: &[Role] = &[
    Role {
        template: "62e90394-69f5-4237-9190-012177145e10",
        name: "Global Administrator",
        power: Power::Tenant,
        why: "Global Administrator controls every setting, role and credential of the tenant",
    },
    Role {
        template: "e8611ab8-c189-46e8-94e1-60213ab1f814",
        name: "Privileged Role Administrator",
        power: Power::Tenant,
        why: "Privileged Role Administrator can assign any directory role, Global Administrator included",
    },
    Role {
        template: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        name: "Privileged Authentication Administrator",
        power: Power::Tenant,
        why: "Privileged Authentication Administrator can reset the credentials of any user, Global Administrators included",
    },
    Role {
        template: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        name: "Application Administrator",
        power: Power::Applications,
        why: "Application Administrator can add a credential to any application and service principal and sign in as it",
    },
    Role {
        template: "158c047a-c907-4556-b7ef-446551a6b5f7",
        name: "Cloud Application Administrator",
        power: Power::Applications,
        why: "Cloud Application Administrator can add a credential to any application and service principal and sign in as it",
    },
    Role {
        template: "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        name: "Groups Administrator",
        power: Power::Groups,
        why: "Groups Administrator can add members to any group that is not role-assignable",
    },
];

/// The directory role with power of its own whose template is `template`.
pub fn role(template: &str) -> Option<&'static Role> {
    ROLES.iter().find(|r| r.template == template)
}

/// A Microsoft Graph application permission that gives control.
pub struct GraphPermission {
    pub app_role: &'static str,
    pub name: &'static str,
    pub reach: Power,
    /// The cover group reached, for `Power::Applications`.
    pub cover: &'static str,
    pub why: &'static str,
}

pub const GRAPH_PERMISSIONS: &[GraphPermission] = &[
    GraphPermission {
        app_role: "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
        name: "RoleManagement.ReadWrite.Directory",
        reach: Power::Tenant,
        cover: "",
        why: "it can assign itself any directory role, Global Administrator included",
    },
    GraphPermission {
        app_role: "06b708a9-e830-4db3-a914-8e69da51d44f",
        name: "AppRoleAssignment.ReadWrite.All",
        reach: Power::Tenant,
        cover: "",
        why: "it can grant itself any application permission, RoleManagement.ReadWrite.Directory included",
    },
    GraphPermission {
        app_role: "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        name: "Application.ReadWrite.All",
        reach: Power::Applications,
        cover: APPLICATIONS,
        why: "it can add a credential or an owner to any application and service principal",
    },
    GraphPermission {
        app_role: "89c8469c-83ad-45f7-8ff2-6e3d4285709e",
        name: "ServicePrincipalEndpoint.ReadWrite.All",
        reach: Power::Applications,
        cover: SERVICE_PRINCIPALS,
        why: "it can add an owner to any service principal",
    },
    GraphPermission {
        app_role: "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
        name: "Directory.ReadWrite.All",
        reach: Power::Groups,
        cover: GROUPS,
        why: "it can add members and owners to any group that is not role-assignable",
    },
    GraphPermission {
        app_role: "62a82d76-70ea-41e2-9197-370581804d09",
        name: "Group.ReadWrite.All",
        reach: Power::Groups,
        cover: GROUPS,
        why: "it can add members and owners to any group that is not role-assignable",
    },
    GraphPermission {
        app_role: "dbaae8cf-10b5-4b86-a4a1-f871c94c6695",
        name: "GroupMember.ReadWrite.All",
        reach: Power::Groups,
        cover: GROUPS,
        why: "it can add members to any group that is not role-assignable",
    },
];

/// The Graph application permission with power whose app role id is `id`.
pub fn graph_permission(id: &str) -> Option<&'static GraphPermission> {
    GRAPH_PERMISSIONS.iter().find(|p| p.app_role == id)
}

/// Microsoft's own tenants, which own its first-party applications: their service
/// principals are Microsoft's, not a partner's.
pub fn microsoft_tenant(id: &str) -> Option<&'static str> {
    match id {
        "f8cdef31-a31e-4b4a-93e4-5f571e91255a" => Some("Microsoft Services"),
        "72f988bf-86f1-41af-91ab-2d7cd011db47" => Some("Microsoft"),
        _ => None,
    }
}

/// Whether a service principal name is AWS's SAML sign-in, which the AWS applications carry
/// (`https://signin.aws.amazon.com/saml`, a region's, GovCloud's or China's).
pub fn is_aws_saml(name: &str) -> bool {
    let host = name
        .strip_prefix("https://")
        .unwrap_or(name)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    host.starts_with("signin.aws.amazon.com")
        || host.ends_with(".signin.aws.amazon.com")
        || host.starts_with("signin.amazonaws-us-gov.com")
        || host.starts_with("signin.amazonaws.cn")
}
