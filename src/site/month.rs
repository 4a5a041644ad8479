//! The data model's month rule: an issue is named `YYYY-MM` and dated within its month.

use chrono::NaiveDate;

/// `2025-11` → (2025, 11); `None` for anything else (`2025-1`, `2025-13`, `25-11`).
pub fn parse_issue_key(name: &str) -> Option<(i32, u32)> {
    let (y, m) = name.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// The last day of a month: the date of an issue that gives none, and of a new issue.
pub fn last_day_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y.checked_add(1)?, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_keys() {
        assert_eq!(parse_issue_key("2025-11"), Some((2025, 11)));
        assert_eq!(parse_issue_key("0001-01"), Some((1, 1)));
        for bad in ["2025-1", "2025-13", "2025-00", "25-11", "2025_11", "2025-1a", "", "2025-11-01", "２０２５-11"]
        {
            assert_eq!(parse_issue_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn last_days() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(last_day_of_month(2025, 11), d(2025, 11, 30));
        assert_eq!(last_day_of_month(2025, 12), d(2025, 12, 31));
        assert_eq!(last_day_of_month(2024, 2), d(2024, 2, 29));
        assert_eq!(last_day_of_month(2025, 2), d(2025, 2, 28));
    }
}
