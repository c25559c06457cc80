use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::session::tenant_choices;

/// What the sign-in form says about the tenant typed so far: nothing while empty, else the
/// validation error if it is neither a tenant id nor a domain.
pub fn tenant_input_problem(input: &str) -> Option<String> {
    if input.trim().is_empty() {
        None
    } else {
        graph::TenantRef::parse(input).err().map(|e| e.to_string())
    }
}

/// Why `/auth/login` or `/auth/callback` sent the person back here: the `error` code of the URL and
/// what it needs (`tenant`, and `reason`, an OAuth 2.0 error code, RFC 6749 §4.1.2.1). Only these
/// sentences are shown: text in the URL is never displayed as a message.
pub fn refusal_text(error: &str, tenant: &str, reason: Option<&str>) -> String {
    const OAUTH_ERRORS: &[&str] = &[
        "access_denied",
        "consent_required",
        "interaction_required",
        "login_required",
        "invalid_request",
        "invalid_scope",
        "unauthorized_client",
        "unsupported_response_type",
        "server_error",
        "temporarily_unavailable",
    ];
    match error {
        "invalid-tenant" => tenant_input_problem(tenant)
            .unwrap_or_else(|| "Enter a tenant id or a verified domain.".to_owned()),
        "unknown-tenant" => format!("No Microsoft Entra tenant was found for \"{tenant}\"."),
        "tenant-not-allowed" => match graph::TenantRef::parse(tenant) {
            Ok(tenant) => format!(
                "Sign-in to \"{}\" is not allowed: this Tenant Mesh serves only the tenants its administrator listed. Ask them to add this tenant to allowed_tenants.",
                tenant.as_str()
            ),
            Err(_) => "Sign-in to this tenant is not allowed: this Tenant Mesh serves only the tenants its administrator listed. Ask them to add this tenant to allowed_tenants.".to_owned(),
        },
        "not-completed" => match reason.filter(|r| OAUTH_ERRORS.contains(r)) {
            Some("access_denied") => "Sign-in was not completed: it was cancelled or refused (access_denied).".to_owned(),
            Some("consent_required") => "Sign-in was not completed: an administrator of this tenant must first consent to Tenant Mesh (consent_required).".to_owned(),
            Some(code) => format!("Sign-in was not completed ({code})."),
            None => "Sign-in was not completed.".to_owned(),
        },
        _ => "Sign-in was not completed.".to_owned(),
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    // A refusal from /auth/login or /auth/callback comes back as ?error=<code>&tenant=…[&reason=…]
    let refused = move || {
        let query = query.read();
        let error = query.get("error").filter(|e| !e.is_empty())?;
        let tenant = query.get("tenant").unwrap_or_default();
        Some(refusal_text(
            &error,
            &tenant,
            query.get("reason").as_deref(),
        ))
    };
    // The field is checked as it is typed in the browser (crate::browser); here, what came back.
    let tenant = query.read_untracked().get("tenant").unwrap_or_default();
    let problem = tenant_input_problem(&tenant);
    let invalid = problem.is_some();
    let choices = Resource::new_blocking(|| (), |_| tenant_choices());

    view! {
        <Title text="Sign in"/>
        <h1>"Sign in to a tenant"</h1>
        <p class="lead">
            "Tenant Mesh signs you in to each tenant separately, with your account in that tenant. "
            "What you may do in a tenant depends on your directory role there."
        </p>
        {move || refused().map(|message| view! { <p class="notice notice-error" role="alert">{message}</p> })}
        <Suspense fallback=|| ()>
            {move || choices.get().and_then(Result::ok).filter(|list| !list.is_empty()).map(|list| view! {
                <section class="card" aria-labelledby="known-tenants">
                    <h2 id="known-tenants">"Tenants"</h2>
                    <ul class="choice-list">
                        {list.into_iter().map(|choice| {
                            let href = format!("/auth/login?tenant={}", choice.domain);
                            let label = format!("Sign in to {}", choice.display_name);
                            view! {
                                <li>
                                    <a class="button" href=href rel="external" aria-label=label>{choice.display_name.clone()}</a>
                                    <span class="muted">{choice.domain.clone()}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })}
        </Suspense>
        <form class="card form" method="get" action="/auth/login">
            <label for="tenant">"Tenant id or verified domain"</label>
            <input
                id="tenant"
                name="tenant"
                type="text"
                required
                autocomplete="off"
                spellcheck="false"
                placeholder="contoso.onmicrosoft.com"
                aria-describedby="tenant-help tenant-problem"
                aria-invalid=invalid.to_string()
                value=tenant
                data-tenant-field=""
            />
            <p id="tenant-help" class="hint">
                "For example "<code>"contoso.onmicrosoft.com"</code>" or a GUID such as "
                <code>"72f988bf-86f1-41af-91ab-2d7cd011db47"</code>"."
            </p>
            <p id="tenant-problem" class="error-text" role="alert">
                {problem.unwrap_or_default()}
            </p>
            <button type="submit" class="button button-primary" disabled=invalid>
                "Continue to sign-in"
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_is_not_yet_a_problem() {
        assert_eq!(tenant_input_problem(""), None);
        assert_eq!(tenant_input_problem("  "), None);
    }

    #[test]
    fn a_tenant_left_out_of_the_allowlist_is_refused_in_our_own_words() {
        let text = refusal_text("tenant-not-allowed", "fabrikam.onmicrosoft.com", None);
        assert!(
            text.starts_with("Sign-in to \"fabrikam.onmicrosoft.com\" is not allowed"),
            "{text}"
        );
        let text = refusal_text("tenant-not-allowed", "<script>", None);
        assert!(!text.contains("<script>"), "{text}");
        assert!(text.contains("is not allowed"), "{text}");
    }

    #[test]
    fn ids_and_domains_are_accepted_and_nonsense_explained() {
        assert_eq!(tenant_input_problem("contoso.onmicrosoft.com"), None);
        assert_eq!(
            tenant_input_problem("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            None
        );
        let message = tenant_input_problem("not a tenant").unwrap();
        assert!(message.contains("neither a tenant id"), "{message}");
    }
}
