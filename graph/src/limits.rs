//! Length limits for the free text the dashboard sends to Graph. The multitenant organization
//! reference (`api-reference/v1.0/resources/multitenantorganization.md`) names none, so the
//! directory's usual ones apply: display names of directory objects are at most 256 characters
//! (`api-reference/v1.0/resources/group.md` and `…/user.md`, `displayName`), descriptions at most
//! 1,024 (`api-reference/v1.0/resources/application.md`, `description`). A search prefix longer
//! than the longest display name can match nothing.

/// `displayName` of the organization and of a tenant added to it.
pub const DISPLAY_NAME: usize = 256;
/// `description` of the organization.
pub const DESCRIPTION: usize = 1_024;
/// The text searched for at the start of display names and user principal names.
pub const SEARCH_TEXT: usize = DISPLAY_NAME;

/// Refuses `text` longer than `max` characters, naming `what` and the limit.
pub fn check(what: &str, text: &str, max: usize) -> Result<(), String> {
    let length = text.chars().count();
    if length > max {
        return Err(format!(
            "{what} is {length} characters long; Microsoft Entra accepts at most {max}."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_counted_in_characters_and_named() {
        assert!(check("The name", &"é".repeat(DISPLAY_NAME), DISPLAY_NAME).is_ok());
        let refused = check("The name", &"x".repeat(DISPLAY_NAME + 1), DISPLAY_NAME).unwrap_err();
        assert_eq!(
            refused,
            "The name is 257 characters long; Microsoft Entra accepts at most 256."
        );
    }
}
