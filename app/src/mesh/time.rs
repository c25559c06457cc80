//! Graph's timestamps (`2026-09-01T09:00:00Z`, optionally with fractions or an offset) as Unix
//! seconds, and ages in words. Small and dependency-free so it also runs in the browser.

/// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses an RFC 3339 timestamp; `None` for anything else (including Graph's `0001-01-01` "never").
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let number = |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if year < 1971 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if text.get(4..5) != Some("-")
        || text.get(10..11).map(|t| t.to_ascii_uppercase()) != Some("T".into())
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Civil date from days since 1970-01-01 (inverse of `days_from_civil`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// A Unix time as RFC 3339 UTC, e.g. "2026-09-01T09:00:00Z".
pub fn iso(unix: i64) -> String {
    let (year, month, day) = civil_from_days(unix.div_euclid(86_400));
    let seconds = unix.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// The UTC time of day of a Unix time, e.g. "09:00:05 UTC".
pub fn clock(unix: i64) -> String {
    let seconds = unix.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02} UTC",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// "40 s", "5 min", "3 h", "2 days".
pub fn duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    match seconds {
        0..=89 => format!("{seconds} s"),
        90..=5399 => format!("{} min", (seconds + 30) / 60),
        5400..=172_799 => format!("{} h", (seconds + 1800) / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}

/// The age of a Graph timestamp at `now`, e.g. "3 days ago"; `None` when it cannot be read.
pub fn ago(timestamp: &str, now: i64) -> Option<String> {
    parse(timestamp).map(|t| format!("{} ago", duration(now - t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_with_fractions_and_offsets() {
        assert_eq!(
            parse("1970-01-02T00:00:00Z"),
            None,
            "before 1971 is treated as never"
        );
        assert_eq!(parse("2026-09-01T09:00:00Z"), Some(1_788_253_200));
        assert_eq!(parse("2026-09-01T09:00:00.1234567Z"), Some(1_788_253_200));
        assert_eq!(parse("2026-09-01T11:00:00+02:00"), Some(1_788_253_200));
        assert_eq!(parse("0001-01-01T00:00:00Z"), None);
        assert_eq!(parse("yesterday"), None);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(40), "40 s");
        assert_eq!(duration(300), "5 min");
        assert_eq!(duration(3 * 3600), "3 h");
        assert_eq!(duration(5 * 86_400), "5 days");
        assert_eq!(
            ago("2026-09-01T09:00:00Z", 1_788_253_200 + 120).as_deref(),
            Some("2 min ago")
        );
    }
}
