//! The data model's naming rule: an entry `slug` in language `lang` is the file
//! `<slug>.md` in the default language and `<slug>.<lang>.md` in any other; an issue's files
//! are `_index.md` and `_index.<lang>.md`.

use super::config::Config;

/// The stem of an issue's files.
pub const INDEX: &str = "_index";

/// The file name of `stem` (an entry's slug, or [`INDEX`]) in `lang`.
pub fn file_name(config: &Config, stem: &str, lang: &str) -> String {
    if lang == config.default_language() { format!("{stem}.md") } else { format!("{stem}.{lang}.md") }
}

/// `slug.md` → (`slug`, the default language); `slug.en.md` → (`slug`, `en`). The language is
/// as written, which may not be a configured one; `None` when the name does not end in `.md`.
pub fn split_file_name<'a>(config: &'a Config, name: &'a str) -> Option<(&'a str, &'a str)> {
    let stem = name.strip_suffix(".md")?;
    Some(match stem.rsplit_once('.') {
        Some((stem, lang)) => (stem, lang),
        None => (stem, config.default_language()),
    })
}

/// The language of a content file from its name, the default language when it names none
/// that is configured.
pub fn language_of<'a>(config: &'a Config, name: &'a str) -> &'a str {
    match split_file_name(config, name) {
        Some((_, lang)) if config.language(lang).is_some() => lang,
        _ => config.default_language(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let text = "base_url = \"https://e.org\"\ndefault_language = \"zh\"\n[languages.zh]\ntitle = \"z\"\n[languages.en]\ntitle = \"e\"\n";
        Config::parse(std::path::Path::new("config.toml"), text).unwrap()
    }

    #[test]
    fn names_round_trip() {
        let c = config();
        assert_eq!(file_name(&c, "gateway-api", "zh"), "gateway-api.md");
        assert_eq!(file_name(&c, "gateway-api", "en"), "gateway-api.en.md");
        assert_eq!(file_name(&c, INDEX, "en"), "_index.en.md");
        for (stem, lang) in [("gateway-api", "zh"), ("gateway-api", "en"), (INDEX, "zh"), (INDEX, "en")] {
            assert_eq!(split_file_name(&c, &file_name(&c, stem, lang)), Some((stem, lang)));
        }
        assert_eq!(split_file_name(&c, "a.fr.md"), Some(("a", "fr")));
        assert_eq!(split_file_name(&c, "a.txt"), None);
        assert_eq!(language_of(&c, "a.fr.md"), "zh");
        assert_eq!(language_of(&c, "a.en.md"), "en");
    }
}
