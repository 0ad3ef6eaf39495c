//! Untrusted text made harmless to show: whatever a sender sealed in a manifest (names,
//! sender, subject, message) or a store answered (error messages, labels, the verified
//! sender) passes through here before it reaches a terminal.
//!
//! Two dangers, one treatment:
//! - **Control characters and escape sequences.** ESC (and the 8-bit CSI, U+009B) starts a
//!   terminal command: it can clear the screen, rewrite the line above ("Verified sender: …"),
//!   set the window title or, in some terminals, answer back into the input. Every C0 and C1
//!   control and DEL is shown as `<U+001B>` and so on, which leaves the rest of a sequence
//!   (`[2J`) as inert visible text: the user sees that something was attempted.
//! - **Characters that change how text reads without being seen.** Bidirectional controls
//!   (`invoice<U+202E>fdp.exe` displays as `invoiceexe.pdf`), zero-width and other format
//!   characters, blank-looking fillers (Hangul fillers, the Braille blank) and tag characters
//!   can hide or disguise a word. They are shown the same way.
//!
//! [`is_hidden`] is the one list; `filename::sanitize` removes the same characters from names.

/// Bidirectional formatting: embeddings, overrides, isolates and the implicit marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Characters that take no visible space or look blank, so they can hide inside or pad out a
/// word: zero-width spaces and joiners, word joiners and invisible operators, the BOM, soft
/// hyphen, the Mongolian vowel separator, the combining grapheme joiner, Khmer inherent vowels,
/// deprecated format controls, interlinear annotation marks, the Hangul fillers, the Braille
/// blank, tag characters (U+E0000–E007F, which can smuggle whole hidden words), musical
/// formatting controls and the line and paragraph separators.
///
/// Dropping U+200D (zero-width joiner) splits emoji sequences like 👩‍💻 into their parts in a
/// name; that is the price of not letting it hide a letter.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Everything [`visible`] marks: controls (C0, DEL, C1), bidi controls and invisible
/// characters.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

/// One line of untrusted text, safe to print: every hidden character (line breaks and tabs
/// included) shown as `<U+XXXX>`.
pub fn visible(text: &str) -> String {
    mark(text, false)
}

/// Untrusted text of several lines (a message): like [`visible`], but line breaks stay line
/// breaks (`\r\n` and a lone `\r` become `\n`, so a carriage return cannot overwrite what the
/// line started with) and tabs stay tabs.
pub fn visible_multiline(text: &str) -> String {
    mark(text, true)
}

/// [`visible`], cut to `max_chars` characters of the original text (with `…` when cut), for
/// fields that have no business being long: a sender, a label, a store's error detail.
pub fn visible_clipped(text: &str, max_chars: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max_chars).collect();
    let mut out = visible(&head);
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

fn mark(text: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' if multiline => out.push(c),
            '\r' if multiline => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            c if is_hidden(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_inert() {
        let shown = visible("ok\u{1b}[2J\u{1b}]0;title\u{7}\u{9b}31m done");
        assert_eq!(
            shown,
            "ok<U+001B>[2J<U+001B>]0;title<U+0007><U+009B>31m done"
        );
        assert!(!shown.chars().any(char::is_control));
    }

    #[test]
    fn bidi_and_invisible_characters_are_named() {
        assert_eq!(visible("invoice\u{202E}fdp.exe"), "invoice<U+202E>fdp.exe");
        assert_eq!(visible("a\u{200B}b\u{3164}c"), "a<U+200B>b<U+3164>c");
        assert_eq!(visible("x\u{E0041}"), "x<U+E0041>");
        assert_eq!(visible("Laporan 2024.pdf"), "Laporan 2024.pdf");
        assert_eq!(visible("نظام.pdf"), "نظام.pdf");
    }

    #[test]
    fn one_line_marks_line_breaks_and_several_lines_keep_them() {
        assert_eq!(visible("a\nb\tc"), "a<U+000A>b<U+0009>c");
        assert_eq!(visible_multiline("a\nb\tc"), "a\nb\tc");
        assert_eq!(visible_multiline("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(visible_multiline("a\u{1b}[1Ab"), "a<U+001B>[1Ab");
    }

    #[test]
    fn clipped_counts_the_original_characters() {
        assert_eq!(visible_clipped("abcdef", 3), "abc…");
        assert_eq!(visible_clipped("a\u{1b}b", 10), "a<U+001B>b");
        assert_eq!(visible_clipped("ab", 2), "ab");
    }
}
