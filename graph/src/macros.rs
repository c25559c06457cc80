//! `graph_enum!`: a Graph string enum as a Rust enum. Graph documents its enums as evolvable
//! (`unknownFutureValue`, and new members are added over time), so every enum keeps a value it does
//! not know in `Unknown(String)` instead of failing to decode the whole resource.

/// Declares `pub enum $name { $variant, ..., Unknown(String) }` with the wire text of each variant,
/// `as_str`, `parse` (exact match first, then ASCII case-insensitive), `KNOWN`, `Display`, and serde
/// as the wire text.
macro_rules! graph_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know yet, kept as Graph sent it.
            Unknown(String),
        }

        impl $name {
            /// Every value this version knows, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as Graph writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Unknown(text) => text,
                }
            }

            /// Reads Graph's text; an unknown value is kept in `Unknown`.
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )+
                    other => {
                        $( if other.eq_ignore_ascii_case($text) { return Self::$variant; } )+
                        Self::Unknown(other.to_owned())
                    }
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self::parse(text)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(text))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::parse(&text))
            }
        }
    };
}

pub(crate) use graph_enum;

#[cfg(test)]
mod tests {
    graph_enum! {
        /// A test enum.
        Colour { Red = "red", DarkBlue = "darkBlue" }
    }

    #[test]
    fn known_values_round_trip_and_unknown_ones_are_kept() {
        assert_eq!(Colour::parse("darkBlue"), Colour::DarkBlue);
        assert_eq!(Colour::parse("DARKBLUE"), Colour::DarkBlue);
        assert_eq!(Colour::parse("green"), Colour::Unknown("green".into()));
        assert_eq!(Colour::KNOWN, &[Colour::Red, Colour::DarkBlue]);
        let json = serde_json::to_string(&vec![Colour::Red, Colour::Unknown("x".into())]).unwrap();
        assert_eq!(json, r#"["red","x"]"#);
        let back: Vec<Colour> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, [Colour::Red, Colour::Unknown("x".into())]);
        assert_eq!(Colour::DarkBlue.to_string(), "darkBlue");
    }
}
