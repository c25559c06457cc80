//! What the emulator keeps about people besides their user objects: organizational contacts
//! (`/contacts`, `microsoftgraph/microsoft-graph-docs-contrib`
//! `api-reference/v1.0/resources/orgcontact.md`), typically mail contacts an Exchange administrator
//! created for people of a partner company, and phone authentication methods
//! (`/users/{id}/authentication/phoneMethods`, `…/resources/phoneauthenticationmethod.md`), whose
//! SMS sign-in state matters to cross-tenant sync: "If SMS sign-in is enabled for a user, they will
//! be skipped by the provisioning service" (`MicrosoftDocs/entra-docs`
//! `docs/identity/multi-tenant-organizations/cross-tenant-synchronization-configure.md`,
//! "Symptom - Users are skipped because SMS sign-in is enabled on the user").

use std::collections::HashMap;

use graph::users::PhoneMethod;

/// An organizational contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub display_name: String,
    pub mail: Option<String>,
    pub company_name: Option<String>,
}

/// Contacts and phone methods, per tenant.
#[derive(Debug, Clone, Default)]
pub struct People {
    /// Per tenant, in the order they were created.
    pub contacts: HashMap<String, Vec<Contact>>,
    /// Per tenant, per user id: the user's phones (at most three: mobile, alternate, office).
    pub phones: HashMap<String, HashMap<String, Vec<PhoneMethod>>>,
}

impl People {
    /// `user`'s phone methods in `tenant` (none registered: empty).
    pub fn phones_of(&self, tenant: &str, user: &str) -> &[PhoneMethod] {
        self.phones
            .get(tenant)
            .and_then(|users| users.get(user))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Whether `user` of `tenant` has a phone ready for SMS sign-in.
    pub fn sms_sign_in(&self, tenant: &str, user: &str) -> bool {
        self.phones_of(tenant, user)
            .iter()
            .any(PhoneMethod::sms_sign_in)
    }
}
