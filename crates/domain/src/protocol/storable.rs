//! Agent text made storable. PostgreSQL cannot keep U+0000 in `text` or `jsonb` (a `\u0000` in
//! a JSON document makes the whole statement fail), and one agent's string must never fail a
//! write that carries other agents' rows. Every string an agent sends, and every object key,
//! therefore has each U+0000 replaced by [`NUL_REPLACEMENT`] before anything else reads it:
//! `find -print0` output stays readable, with its separators visible, and nothing else changes.

use serde_json::{Map, Value};

/// What stands for U+0000 in stored agent text: U+2400 SYMBOL FOR NULL (`␀`).
pub const NUL_REPLACEMENT: char = '\u{2400}';

/// `value` with every U+0000 in its strings and keys replaced (the value itself when it has
/// none, without copying).
pub fn storable(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(storable_text(text)),
        Value::Array(items) => Value::Array(items.into_iter().map(storable).collect()),
        Value::Object(object) => {
            if !object.keys().any(|key| key.contains('\0')) {
                let mut object = object;
                for item in object.values_mut() {
                    *item = storable(std::mem::take(item));
                }
                return Value::Object(object);
            }
            Value::Object(
                object
                    .into_iter()
                    .map(|(key, item)| (storable_text(key), storable(item)))
                    .collect::<Map<String, Value>>(),
            )
        }
        other => other,
    }
}

/// `text` with every U+0000 replaced by [`NUL_REPLACEMENT`].
pub fn storable_text(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', &NUL_REPLACEMENT.to_string())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nul_is_replaced_everywhere_and_nothing_else_changes() {
        let hostile = json!({
            "time\u{0}zone": "Europe/\u{0}Berlin",
            "list": ["a\u{0}b", 1, null, {"k": "\u{0}"}],
            "fine": "ü ✓ \u{1b}",
        });
        assert_eq!(
            storable(hostile),
            json!({
                "time␀zone": "Europe/␀Berlin",
                "list": ["a␀b", 1, null, {"k": "␀"}],
                "fine": "ü ✓ \u{1b}",
            })
        );
        let clean = json!({"a": ["b", {"c": 1.5}]});
        assert_eq!(storable(clean.clone()), clean);
    }
}
