//! Links: the one canonical form of a link, so `fetch` and `check` recognise one article
//! however a feed or an editor spelled its address.

use url::Url;

/// Query parameters that only track where a reader came from; they never select content.
/// `utm_*` parameters are tracking too.
const TRACKING: &[&str] = &[
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "li_fat_id",
    "mc_cid",
    "mc_eid",
    "ref",
    "ref_src",
    "ref_url",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "vero_id",
    "oly_enc_id",
    "oly_anon_id",
    "wickedid",
    "rb_clickid",
    "s_cid",
    "spm",
    "si",
];

/// Whether a query parameter name only tracks readers.
pub fn is_tracking(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_") || TRACKING.contains(&lower.as_str())
}

/// The URL with its tracking parameters removed, the others kept as they are written.
pub fn without_tracking(url: &Url) -> Url {
    let mut clean = url.clone();
    if let Some(query) = url.query() {
        // Filter the raw pairs so the kept ones stay encoded exactly as published.
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                !pair.is_empty() && !is_tracking(&percent_encoding::percent_decode_str(name).decode_utf8_lossy())
            })
            .collect();
        let kept = (!kept.is_empty()).then(|| kept.join("&"));
        clean.set_query(kept.as_deref());
    }
    clean
}

/// The link as it is written into a draft's `source`: an absolute http(s) URL with the scheme
/// and host lowercased, the default port, the fragment and tracking parameters dropped.
/// The path keeps its trailing slash, since servers differ on whether they redirect without it.
/// `None` when `link` is not an http(s) URL with a host.
pub fn canonical(link: &str) -> Option<String> {
    // `Url::parse` lowercases the scheme and host and drops a default port.
    let mut url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    url.set_fragment(None);
    Some(without_tracking(&url).to_string())
}

/// The key that decides whether two links are the same article, for `fetch` (already seen?)
/// and `check` (two entries with one source?) alike: the canonical link, `http` taken as
/// `https` and the trailing slash of a non-root path removed (`/blog/post/` and `/blog/post`
/// are one page). The path's case counts: servers differ on it.
pub fn key(link: &str) -> Option<String> {
    let canonical = canonical(link)?;
    let mut url = Url::parse(&canonical).ok()?;
    if url.scheme() == "http" {
        url.set_scheme("https").ok()?;
    }
    let path = url.path().to_string();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
        if url.path().is_empty() {
            url.set_path("/");
        }
    }
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_and_host_are_lowercased_fragment_dropped() {
        assert_eq!(
            canonical("HTTPS://Kubernetes.IO:443/Blog/Post/#comments").as_deref(),
            Some("https://kubernetes.io/Blog/Post/")
        );
        assert_eq!(canonical("http://example.org").as_deref(), Some("http://example.org/"));
    }

    #[test]
    fn tracking_parameters_are_removed_others_kept() {
        assert_eq!(
            canonical("https://a.org/p?utm_source=x&UTM_Medium=y&id=3&fbclid=z&gclid=q&mc_cid=1&mc_eid=2&ref=hn")
                .as_deref(),
            Some("https://a.org/p?id=3")
        );
        assert_eq!(canonical("https://a.org/p?utm_campaign=feed").as_deref(), Some("https://a.org/p"));
        assert_eq!(canonical("https://a.org/p?page=2&lang=en").as_deref(), Some("https://a.org/p?page=2&lang=en"));
    }

    #[test]
    fn only_http_urls() {
        assert_eq!(canonical("javascript:alert(1)"), None);
        assert_eq!(canonical("ftp://a.org/x"), None);
        assert_eq!(canonical("/relative/path"), None);
        assert_eq!(canonical(""), None);
    }

    #[test]
    fn one_key_for_every_spelling_of_a_link() {
        let spellings = [
            "https://example.org/blog/post",
            "https://example.org/blog/post/",
            "HTTPS://Example.ORG/blog/post/#intro",
            "http://example.org/blog/post?utm_source=x",
            "https://example.org:443/blog/post?fbclid=1&gclid=2",
            " https://example.org/blog/post?si=abc ",
        ];
        let k = key(spellings[0]).unwrap();
        assert_eq!(k, "https://example.org/blog/post");
        for s in spellings {
            assert_eq!(key(s).as_deref(), Some(k.as_str()), "{s}");
        }
        for other in
            ["https://example.org/blog/post?id=2", "https://example.org/Blog/post", "https://example.com/blog/post"]
        {
            assert_ne!(key(other).as_deref(), Some(k.as_str()), "{other}");
        }
    }

    #[test]
    fn without_tracking_keeps_the_rest_as_written() {
        let u = Url::parse("https://x.org/a?utm_source=rss&id=3&fbclid=abc&q=a%20b").unwrap();
        assert_eq!(without_tracking(&u).as_str(), "https://x.org/a?id=3&q=a%20b");
        let u = Url::parse("https://x.org/a?utm_medium=feed").unwrap();
        assert_eq!(without_tracking(&u).as_str(), "https://x.org/a");
    }

    #[test]
    fn keys_ignore_the_trailing_slash() {
        assert_eq!(key("https://a.org/blog/post/"), key("https://A.org/blog/post?utm_source=rss#top"));
        assert_eq!(key("https://a.org/blog/post//").as_deref(), Some("https://a.org/blog/post"));
        assert_eq!(key("https://a.org/").as_deref(), Some("https://a.org/"));
        assert_eq!(key("https://a.org").as_deref(), Some("https://a.org/"));
        assert_ne!(key("https://a.org/p?id=1"), key("https://a.org/p?id=2"));
    }
}
