//! The message catalogue: every user-facing error text of Kepil, in Fluent files at the
//! repository root (`i18n/<lang>/{core,client,cli,app}.ftl`), embedded at compile time. The
//! desktop UI imports the same files (ui/src/lib/i18n), so the CLI, the app and the logs
//! word a failure alike.
//!
//! Key scheme, per error code (see docs/architecture.md, "Messages"):
//! - `code` — what happened; may use the params the error gives in [`Coded::params`].
//! - `code-do` — what to do (optional only for `cancelled`-like codes with nothing to do).
//! - `.bare` attribute on either — the wording when a param it uses was not given (e.g.
//!   `wrong_password` without `tries_left`).
//! - `code-app` / `code-do-app` — the desktop app's wording where it must differ from the
//!   terminal's (it names Settings and History, not `kepil login`); only the UI reads them.
//!
//! A param named `cause` holds the code of a wrapped error; its placeable shows that error's
//! "what happened" text, filled with the same params.
//!
//! [`Coded::params`]: crate::message::Coded::params

use std::collections::BTreeSet;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;

use crate::message::Lang;

macro_rules! files {
    ($lang:literal) => {
        [
            (
                "core.ftl",
                include_str!(concat!("../../../i18n/", $lang, "/core.ftl")),
            ),
            (
                "client.ftl",
                include_str!(concat!("../../../i18n/", $lang, "/client.ftl")),
            ),
            (
                "cli.ftl",
                include_str!(concat!("../../../i18n/", $lang, "/cli.ftl")),
            ),
            (
                "app.ftl",
                include_str!(concat!("../../../i18n/", $lang, "/app.ftl")),
            ),
        ]
    };
}

/// The catalogue files of a language: (file name, Fluent source).
pub fn sources(lang: Lang) -> [(&'static str, &'static str); 4] {
    match lang {
        Lang::Ms => files!("ms"),
        Lang::En => files!("en"),
    }
}

/// The suffixes a catalogue key may add to a code (see the module documentation).
pub const SUFFIXES: [&str; 3] = ["-do-app", "-do", "-app"];

/// The code a catalogue key belongs to: `wrong_password-do` → `wrong_password`.
pub fn code_of(key: &str) -> &str {
    SUFFIXES
        .iter()
        .find_map(|s| key.strip_suffix(s))
        .unwrap_or(key)
}

type Bundle = FluentBundle<FluentResource>;

fn build(lang: Lang) -> Bundle {
    let id: unic_langid::LanguageIdentifier =
        lang.as_str().parse().expect("ms and en are language ids");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No FSI/PDI marks around placeables: the text goes to terminals, logs and a webview
    // that lays out one language at a time (as rage does).
    bundle.set_use_isolating(false);
    for (name, source) in sources(lang) {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, e)| panic!("i18n/{lang}/{name} does not parse: {e:?}"));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|e| panic!("i18n/{lang}/{name} repeats a key: {e:?}"));
    }
    bundle
}

static BUNDLES: LazyLock<[Bundle; 2]> = LazyLock::new(|| [build(Lang::Ms), build(Lang::En)]);

fn bundle(lang: Lang) -> &'static Bundle {
    match lang {
        Lang::Ms => &BUNDLES[0],
        Lang::En => &BUNDLES[1],
    }
}

/// A message in two parts, which a UI can show as two lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// What happened.
    pub what: String,
    /// What to do, when there is something to do.
    pub todo: Option<String>,
}

impl Parts {
    /// Both parts as one text: "What happened. What to do."
    pub fn joined(&self) -> String {
        match &self.todo {
            Some(todo) => format!("{} {todo}", self.what),
            None => self.what.clone(),
        }
    }
}

/// Formats message `id` (its value, or its `.bare` attribute when a param it uses is missing).
/// `None` when the catalogue has no such message; `Err` with the best-effort text when a
/// param is missing and there is no `.bare` that does without it.
fn render(lang: Lang, id: &str, args: &FluentArgs) -> Option<Result<String, String>> {
    let bundle = bundle(lang);
    let message = bundle.get_message(id)?;
    let value = message.value()?;
    let mut errors = vec![];
    let text = bundle.format_pattern(value, Some(args), &mut errors);
    if errors.is_empty() {
        return Some(Ok(text.into_owned()));
    }
    if let Some(bare) = message.get_attribute("bare") {
        let mut bare_errors = vec![];
        let bare_text = bundle.format_pattern(bare.value(), Some(args), &mut bare_errors);
        if bare_errors.is_empty() {
            return Some(Ok(bare_text.into_owned()));
        }
    }
    Some(Err(text.into_owned()))
}

/// Params that count something: passed to Fluent as numbers, so that a message can pick the
/// word that agrees with them (`[one] One try left`). Every other param stays text.
pub const COUNT_PARAMS: &[&str] = &["tries_left"];

fn args<'a>(lang: Lang, params: &'a [(&'a str, String)]) -> FluentArgs<'a> {
    let mut out = FluentArgs::new();
    for (name, value) in params {
        if COUNT_PARAMS.contains(name)
            && let Ok(n) = value.parse::<u32>()
        {
            out.set(*name, FluentValue::from(n));
        } else if *name == "cause" {
            // The wrapped error's "what happened", with the same params (minus the cause).
            let inner: Vec<(&str, String)> = params
                .iter()
                .filter(|(n, _)| *n != "cause")
                .cloned()
                .collect();
            let inner_args = args(lang, &inner);
            let what = match render(lang, value, &inner_args) {
                Some(Ok(t) | Err(t)) => t,
                None => value.clone(),
            };
            // Shown inside the outer sentence: "The upload stopped (… HTTP 502)."
            out.set(
                *name,
                FluentValue::from(what.trim_end_matches('.').to_owned()),
            );
        } else {
            out.set(*name, FluentValue::from(value.as_str()));
        }
    }
    out
}

/// "What happened" and "what to do" of `code`, filled with `params`. An unknown code gives
/// the generic `unknown` message, which names the code.
pub fn parts(lang: Lang, code: &str, params: &[(&str, String)]) -> Parts {
    let fluent_args = args(lang, params);
    match render(lang, code, &fluent_args) {
        Some(Ok(what) | Err(what)) => Parts {
            what,
            todo: render(lang, &format!("{code}-do"), &fluent_args)
                .map(|r| r.unwrap_or_else(|e| e))
                .filter(|t| !t.trim().is_empty()),
        },
        None => {
            let code_param = [("code", crate::message::clip(code, 80))];
            let unknown_args = args(lang, &code_param);
            let pick = |id: &str| {
                render(lang, id, &unknown_args)
                    .map(|r| r.unwrap_or_else(|e| e))
                    .unwrap_or_else(|| code.to_owned())
            };
            Parts {
                what: pick("unknown"),
                todo: Some(pick("unknown-do")),
            }
        }
    }
}

/// The message of `code` with `params`: what happened, then what to do.
pub fn describe(lang: Lang, code: &str, params: &[(&str, String)]) -> String {
    parts(lang, code, params).joined()
}

/// For tests: what is wrong with the message of `code` given `params` — no message, or a
/// part that uses a param not given (and has no `.bare` that does without it).
pub fn problems(lang: Lang, code: &str, params: &[(&str, String)]) -> Vec<String> {
    let fluent_args = args(lang, params);
    let mut out = vec![];
    for (id, required) in [(code.to_owned(), true), (format!("{code}-do"), false)] {
        match render(lang, &id, &fluent_args) {
            None if required => out.push(format!("{lang}: no message {id}")),
            None => {}
            Some(Ok(_)) => {}
            Some(Err(text)) => out.push(format!("{lang}: {id} lacks a param: {text}")),
        }
    }
    out
}

/// For tests: every message key of the catalogue in `lang`, with the file it is in.
pub fn keys(lang: Lang) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    for (name, source) in sources(lang) {
        let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(r, _)| r);
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                out.push((name, m.id.name.to_owned()));
            }
        }
    }
    out
}

/// For tests: the variables (`{ $name }`) message `key` uses, in its value and attributes,
/// including through the terms it references.
pub fn variables(lang: Lang, key: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let resources: Vec<ast::Resource<&str>> = sources(lang)
        .iter()
        .map(|(_, s)| fluent_syntax::parser::parse(*s).unwrap_or_else(|(r, _)| r))
        .collect();
    for resource in &resources {
        for entry in &resource.body {
            if let ast::Entry::Message(m) = entry
                && m.id.name == key
            {
                if let Some(p) = &m.value {
                    walk_pattern(p, &mut out);
                }
                for a in &m.attributes {
                    walk_pattern(&a.value, &mut out);
                }
            }
        }
    }
    out
}

fn walk_pattern(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            walk_expression(expression, out);
        }
    }
}

fn walk_expression(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            walk_inline(selector, out);
            for v in variants {
                walk_pattern(&v.value, out);
            }
        }
        ast::Expression::Inline(inline) => walk_inline(inline, out),
    }
}

fn walk_inline(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => walk_expression(expression, out),
        ast::InlineExpression::FunctionReference { arguments, .. }
        | ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => {
            for a in &arguments.positional {
                walk_inline(a, out);
            }
            for a in &arguments.named {
                walk_inline(&a.value, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_and_no_key_repeats() {
        for lang in Lang::ALL {
            let _ = bundle(lang);
            for (name, source) in sources(lang) {
                if let Err((_, errors)) = fluent_syntax::parser::parse(source) {
                    panic!("i18n/{lang}/{name}: {errors:?}");
                }
            }
        }
    }

    #[test]
    fn no_bidi_isolation_marks_and_unknown_codes_are_named() {
        let text = describe(Lang::En, "flux_capacitor", &[]);
        assert!(text.contains("flux_capacitor"), "{text}");
        assert!(
            !text.contains('\u{2068}') && !text.contains('\u{2069}'),
            "{text:?}"
        );
    }

    #[test]
    fn counts_choose_the_word_that_agrees_with_them() {
        let tries = |lang, n: &str| describe(lang, "wrong_password", &[("tries_left", n.into())]);
        assert!(
            tries(Lang::En, "1").contains("One try left"),
            "{}",
            tries(Lang::En, "1")
        );
        assert!(
            tries(Lang::En, "9").contains("9 tries left"),
            "{}",
            tries(Lang::En, "9")
        );
        assert!(
            tries(Lang::Ms, "1").contains("Tinggal 1 cubaan"),
            "{}",
            tries(Lang::Ms, "1")
        );
        // Not a number: shown as given, in the general form.
        assert!(
            tries(Lang::En, "x").contains("x tries left"),
            "{}",
            tries(Lang::En, "x")
        );
    }

    #[test]
    fn code_of_strips_the_suffixes() {
        assert_eq!(code_of("wrong_password-do-app"), "wrong_password");
        assert_eq!(code_of("wrong_password-do"), "wrong_password");
        assert_eq!(code_of("wrong_password-app"), "wrong_password");
        assert_eq!(code_of("wrong_password"), "wrong_password");
    }
}
