//! CoT type and `how` grammar, human meanings and pattern matching.
//!
//! A CoT type is a dash-separated list of atoms (MIL-STD-2525 derived for
//! `a-` "atoms"). For `a-` types the second atom is the affiliation and the
//! third the battle dimension; further atoms refine the function
//! (`a-f-G-U-C` = friend, ground, unit, combat).

use std::borrow::Cow;

/// Longest type or how accepted; real ones are far shorter.
const MAX_TYPE_LEN: usize = 128;

const AFFILIATIONS: &[(&str, &str)] = &[
    ("p", "pending"),
    ("u", "unknown"),
    ("a", "assumed friend"),
    ("f", "friend"),
    ("n", "neutral"),
    ("s", "suspect"),
    ("h", "hostile"),
    ("j", "joker"),
    ("k", "faker"),
    ("o", "none specified"),
    ("x", "other"),
];

const DIMENSIONS: &[(&str, &str)] = &[
    ("P", "space"),
    ("A", "air"),
    ("G", "ground"),
    ("S", "sea surface"),
    ("U", "subsurface"),
    ("X", "other"),
    ("F", "SOF"),
];

/// Ground sub-categories (the atom after `G`).
const GROUND: &[(&str, &str)] = &[("U", "unit"), ("E", "equipment"), ("I", "installation")];

/// Names of well-known non-atom types; longest matching prefix wins, so
/// more specific entries may follow general ones.
const NAMED: &[(&str, &str)] = &[
    ("b-t-f", "GeoChat message"),
    ("b-t-f-d", "GeoChat delivery receipt"),
    ("b-t-f-r", "GeoChat read receipt"),
    ("b-m-p-s-m", "spot marker"),
    ("b-m-p-s-p-i", "sensor point of interest"),
    ("b-m-p-w", "route waypoint"),
    ("b-m-p-c", "route control point"),
    ("b-m-r", "route"),
    ("b-a-o-tbl", "911 emergency alert"),
    ("b-a-o-can", "emergency cancelled"),
    ("b-a-o-opn", "troops in contact alert"),
    ("b-a-g", "geofence alert"),
    ("b-r-f-h-c", "casualty (MEDEVAC) report"),
    ("b-i-x-i", "image"),
    ("b-f-t-r", "file transfer request"),
    ("t-x-d-d", "delete"),
    ("t-x-c-t", "ping"),
    ("t-x-c-t-r", "ping reply"),
    ("t-x-takp-v", "TAK protocol support"),
    ("t-x-takp-q", "TAK protocol request"),
    ("t-x-takp-r", "TAK protocol response"),
    ("u-d-f", "freehand drawing"),
    ("u-d-r", "rectangle drawing"),
    ("u-d-c-c", "circle drawing"),
    ("u-rb-a", "range and bearing line"),
];

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Checks a CoT type string; the error says which atom is wrong.
///
/// Rules: 1–128 bytes, dash-separated non-empty ASCII alphanumeric atoms,
/// first atom a single letter; for `a-` types the second atom must be an
/// affiliation (`p u a f n s h j k o x`) and the third a battle dimension
/// (`P A G S U X F`).
pub fn validate_type(t: &str) -> Result<(), String> {
    if t.is_empty() || t.len() > MAX_TYPE_LEN {
        return Err(format!("type must be 1 to {MAX_TYPE_LEN} characters long"));
    }
    for (i, atom) in t.split('-').enumerate() {
        if atom.is_empty() {
            return Err(format!("type {t:?} has an empty atom"));
        }
        if !atom.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!(
                "type {t:?}: atom {atom:?} must be ASCII letters/digits"
            ));
        }
        if i == 0 && !(atom.len() == 1 && atom.bytes().all(|b| b.is_ascii_alphabetic())) {
            return Err(format!(
                "type {t:?} must start with a single letter atom such as a, b, t or u"
            ));
        }
    }
    if t.starts_with("a-") || t == "a" {
        let mut atoms = t.split('-').skip(1);
        match atoms.next() {
            Some(a) if lookup(AFFILIATIONS, a).is_some() => {}
            other => {
                return Err(format!(
                    "type {t:?}: affiliation {:?} is not one of p,u,a,f,n,s,h,j,k,o,x",
                    other.unwrap_or("")
                ))
            }
        }
        match atoms.next() {
            Some(d) if lookup(DIMENSIONS, d).is_some() => {}
            other => {
                return Err(format!(
                    "type {t:?}: battle dimension {:?} is not one of P,A,G,S,U,X,F",
                    other.unwrap_or("")
                ))
            }
        }
    }
    Ok(())
}

/// Checks a `how` string: dash-separated atoms of lowercase ASCII letters
/// (`m-g`, `h-e`, `h-g-i-g-o`).
pub fn validate_how(h: &str) -> Result<(), String> {
    let ok = !h.is_empty()
        && h.len() <= MAX_TYPE_LEN
        && h.split('-')
            .all(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_lowercase()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "how {h:?} must be dash-separated lowercase letter atoms such as m-g or h-e"
        ))
    }
}

/// Human meaning of a type, e.g. `a-f-G-U-C` → "friend ground unit",
/// `b-t-f` → "GeoChat message"; `None` when not known.
pub fn type_meaning(t: &str) -> Option<Cow<'static, str>> {
    let (first, more) = meaning_words(t)?;
    let [Some(dim), sub] = more else {
        return Some(Cow::Borrowed(first));
    };
    let mut s = String::with_capacity(32);
    s.push_str(first);
    s.push(' ');
    s.push_str(dim);
    if let Some(sub) = sub {
        s.push(' ');
        s.push_str(sub);
    }
    Some(Cow::Owned(s))
}

/// Appends [`type_meaning`] of `t` to `out` without building a `String`
/// (the summary line does this for every received event); false when the
/// meaning is not known.
pub(crate) fn push_type_meaning(t: &str, out: &mut String) -> bool {
    let Some((first, more)) = meaning_words(t) else {
        return false;
    };
    out.push_str(first);
    for w in more.into_iter().flatten() {
        out.push(' ');
        out.push_str(w);
    }
    true
}

/// The words of a type's meaning, to be joined with spaces: affiliation,
/// then battle dimension and ground category when known (for `a-` types),
/// or a name (for the others).
fn meaning_words(t: &str) -> Option<(&'static str, [Option<&'static str>; 2])> {
    if let Some(rest) = t.strip_prefix("a-") {
        let mut atoms = rest.split('-');
        let aff = lookup(AFFILIATIONS, atoms.next()?)?;
        let Some(dim_atom) = atoms.next() else {
            return Some((aff, [None, None]));
        };
        let dim = lookup(DIMENSIONS, dim_atom)?;
        let sub = match dim_atom {
            "G" => atoms.next().and_then(|a| lookup(GROUND, a)),
            _ => None,
        };
        return Some((aff, [Some(dim), sub]));
    }
    NAMED
        .iter()
        .filter(|(k, _)| t == *k || t.strip_prefix(k).is_some_and(|r| r.starts_with('-')))
        .max_by_key(|(k, _)| k.len())
        .map(|(_, v)| (*v, [None, None]))
}

/// Matches a type against a pattern of atoms where `*` matches exactly one
/// atom, and a trailing `*` matches any number (including zero) of further
/// atoms: `a-f-*` matches `a-f`, `a-f-G` and `a-f-G-U-C`; `a-*-G` matches
/// `a-h-G` but not `a-h-G-U`. Matching is case-sensitive like CoT types.
pub fn type_matches(pattern: &str, t: &str) -> bool {
    let mut p = pattern.split('-').peekable();
    let mut a = t.split('-');
    while let Some(pat) = p.next() {
        if pat == "*" && p.peek().is_none() {
            return true;
        }
        match a.next() {
            Some(atom) if pat == "*" || pat == atom => {}
            _ => return false,
        }
    }
    a.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_types() {
        for t in [
            "a-f-G-U-C",
            "a-h-A",
            "a-u-S",
            "a-n-G-E-V",
            "a-x-F",
            "b-m-p-s-m",
            "b-t-f",
            "t-x-d-d",
            "t-x-c-t",
            "t-x-takp-v",
            "u-d-f",
            "b-m-p-s-p-loc",
        ] {
            assert_eq!(validate_type(t), Ok(()), "{t}");
        }
    }

    #[test]
    fn invalid_types() {
        for (t, why) in [
            ("", "1 to"),
            ("a--G", "empty atom"),
            ("a-f-G-", "empty atom"),
            ("-a", "empty atom"),
            ("ab-f-G", "single letter"),
            ("1-f-G", "single letter"),
            ("a-q-G", "affiliation"),
            ("a-F-G", "affiliation"),
            ("a-f", "battle dimension"),
            ("a-f-g", "battle dimension"),
            ("a-f-Q-U", "battle dimension"),
            ("b-t f", "ASCII"),
            ("b-t-<", "ASCII"),
            ("a-f-G-U-C\n", "ASCII"),
        ] {
            let e = validate_type(t).unwrap_err();
            assert!(e.contains(why), "{t:?}: {e}");
        }
        assert!(validate_type(&"a".repeat(200)).is_err());
    }

    #[test]
    fn hows() {
        for h in ["m-g", "h-e", "h-g-i-g-o", "m-f", "h"] {
            assert!(validate_how(h).is_ok(), "{h}");
        }
        for h in ["", "M-g", "m--g", "m-g-", "m_g", "m-1", "m g"] {
            assert!(validate_how(h).is_err(), "{h}");
        }
    }

    #[test]
    fn meanings() {
        let m = |t| type_meaning(t).map(|c| c.into_owned());
        assert_eq!(m("a-f-G-U-C").as_deref(), Some("friend ground unit"));
        assert_eq!(m("a-h-G-E-V").as_deref(), Some("hostile ground equipment"));
        assert_eq!(m("a-n-G-I").as_deref(), Some("neutral ground installation"));
        assert_eq!(m("a-f-G").as_deref(), Some("friend ground"));
        assert_eq!(m("a-h-A-M-F").as_deref(), Some("hostile air"));
        assert_eq!(m("a-u-S").as_deref(), Some("unknown sea surface"));
        assert_eq!(m("a-s-U").as_deref(), Some("suspect subsurface"));
        assert_eq!(m("a-a-P").as_deref(), Some("assumed friend space"));
        assert_eq!(m("a-j-F").as_deref(), Some("joker SOF"));
        assert_eq!(m("a-f").as_deref(), Some("friend"));
        assert_eq!(m("b-t-f").as_deref(), Some("GeoChat message"));
        assert_eq!(m("b-t-f-d").as_deref(), Some("GeoChat delivery receipt"));
        assert_eq!(m("t-x-d-d").as_deref(), Some("delete"));
        assert_eq!(m("t-x-c-t").as_deref(), Some("ping"));
        assert_eq!(m("t-x-c-t-r").as_deref(), Some("ping reply"));
        assert_eq!(m("b-m-p-s-m").as_deref(), Some("spot marker"));
        assert_eq!(m("b-m-p-s-m-x").as_deref(), Some("spot marker"));
        assert_eq!(m("b-t-fx"), None);
        assert_eq!(m("a-q-G"), None);
        assert_eq!(m("z-z"), None);
    }

    #[test]
    fn matching() {
        assert!(type_matches("a-f-*", "a-f-G-U-C"));
        assert!(type_matches("a-f-*", "a-f"));
        assert!(type_matches("a-*-G", "a-h-G"));
        assert!(!type_matches("a-*-G", "a-h-G-U"));
        assert!(!type_matches("a-*-G", "a-h"));
        assert!(type_matches("a-*-G-*", "a-h-G-U-C"));
        assert!(type_matches("*", "b-t-f"));
        assert!(type_matches("b-t-f", "b-t-f"));
        assert!(!type_matches("b-t-f", "b-t-f-d"));
        assert!(!type_matches("a-f-*", "a-h-G"));
        assert!(!type_matches("a-f-G", "a-f-g"));
        assert!(!type_matches("a-f-G-U", "a-f-G"));
    }
}
