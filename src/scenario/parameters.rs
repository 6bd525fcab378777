//! The `parameters!` macro: a struct of named numeric parameters declared
//! once, one row per parameter. Everything that must agree with a
//! parameter's name (the field, its default, its allowed range and looking
//! it up by name for `--set`, dated policies and validation) is generated
//! from that row, so adding or renaming a parameter is one edit that
//! cannot leave another list behind.

/// Declares a struct whose fields are all `f64` parameters.
///
/// ```text
/// parameters! {
///     /// Docs and attributes of the struct (derives, serde) pass through.
///     #[derive(Serialize, Deserialize)]
///     pub struct Name;
///
///     /// Docs of the table of ranges.
///     pub const TABLE: &[(&str, f64, f64, &str)];
///
///     /// Docs of the field pass through.
///     field_name: f64 = default, [min, max], "meaning";
/// }
/// ```
///
/// It generates the struct, `Default` (every field at its default), `TABLE`
/// (name, min and max of every field in declaration order, followed by its
/// meaning when the rows give one, which also becomes the field's doc) and
/// the methods `get` and `set`, which address a field by its name.
macro_rules! parameters {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident;

        $(#[$table_meta:meta])*
        $table_vis:vis const $table:ident: $table_type:ty;

        $(
            $(#[$field_meta:meta])*
            $field:ident: $type:ty = $default:expr, [$min:expr, $max:expr] $(, $meaning:literal)?;
        )*
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $(
                $(#[$field_meta])*
                $(#[doc = $meaning])?
                pub $field: $type,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $($field: $default,)*
                }
            }
        }

        $(#[$table_meta])*
        $table_vis const $table: $table_type = &[
            $((stringify!($field), $min, $max $(, $meaning)?),)*
        ];

        impl $name {
            /// The value of the field named `field`; `None` if there is no such field.
            pub fn get(&self, field: &str) -> Option<f64> {
                Some(match field {
                    $(stringify!($field) => self.$field,)*
                    _ => return None,
                })
            }

            /// Sets a field by name; `false` if there is no such field.
            pub fn set(&mut self, field: &str, value: f64) -> bool {
                let slot = match field {
                    $(stringify!($field) => &mut self.$field,)*
                    _ => return false,
                };
                *slot = value;
                true
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::super::behaviour::BEHAVIOUR_FIELDS;
    use super::super::{Behaviour, Institutions, StageRule, INSTITUTION_FIELDS, STAGE_RULE_FIELDS};
    use serde::Serialize;

    /// A declaration holds together when its table names exactly the fields
    /// a scenario file may give, every default lies in its own range, and
    /// `get` and `set` reach every field and no other.
    fn holds_together<T: Default + Serialize>(
        table: &[(&str, f64, f64)],
        get: fn(&T, &str) -> Option<f64>,
        set: fn(&mut T, &str, f64) -> bool,
    ) {
        let defaults = T::default();
        let serialized = serde_json::to_value(&defaults).expect("parameters serialize");
        let mut fields: Vec<&str> = serialized
            .as_object()
            .expect("a struct")
            .keys()
            .map(String::as_str)
            .collect();
        let mut names: Vec<&str> = table.iter().map(|(name, ..)| *name).collect();
        fields.sort_unstable();
        names.sort_unstable();
        assert_eq!(fields, names);
        let mut changed = T::default();
        for &(name, lo, hi) in table {
            let default = get(&defaults, name).expect("every field has a value");
            assert!(
                (lo..=hi).contains(&default),
                "{name} = {default} outside [{lo}, {hi}]"
            );
            assert_eq!(serialized[name].as_f64(), Some(default));
            assert!(set(&mut changed, name, hi));
            assert_eq!(get(&changed, name), Some(hi));
        }
        assert_eq!(get(&defaults, "no_such_field"), None);
        assert!(!set(&mut changed, "no_such_field", 0.0));
    }

    #[test]
    fn every_declaration_holds_together() {
        let institutions: Vec<_> = INSTITUTION_FIELDS
            .iter()
            .map(|&(name, lo, hi, _)| (name, lo, hi))
            .collect();
        holds_together(&institutions, Institutions::get, Institutions::set);
        holds_together(BEHAVIOUR_FIELDS, Behaviour::get, Behaviour::set);
        holds_together(STAGE_RULE_FIELDS, StageRule::get, StageRule::set);
    }
}
