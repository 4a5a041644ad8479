//! Render stage: `sitemap.xml` with hreflang alternates, and `robots.txt`.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::site::Site;

/// Every page path that exists in every language (without the language prefix).
fn page_paths(site: &Site) -> Vec<String> {
    let mut paths = vec!["/".to_string(), "/archive/".to_string(), "/tags/".to_string(), "/search/".to_string()];
    paths.extend(site.issues.iter().map(|i| i.path()));
    paths.extend(site.entries.iter().map(|e| e.path(site)));
    paths.extend(site.config.topics.iter().map(|t| format!("/topics/{}/", t.key)));
    paths.extend(site.tags.iter().map(|t| format!("/tags/{}/", crate::site::slug::encode_segment(&t.slug))));
    paths
}

/// The sitemap: one `<url>` per page and language, each listing all languages as alternates.
pub fn sitemap(site: &Site) -> Vec<u8> {
    let c = &site.config;
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let ok = (|| -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut urlset = BytesStart::new("urlset");
        urlset.push_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"));
        urlset.push_attribute(("xmlns:xhtml", "http://www.w3.org/1999/xhtml"));
        w.write_event(Event::Start(urlset))?;
        for path in page_paths(site) {
            for lang in &c.languages {
                w.write_event(Event::Start(BytesStart::new("url")))?;
                w.create_element("loc").write_text_content(BytesText::new(&c.permalink(&lang.code, &path)))?;
                for alt in &c.languages {
                    w.create_element("xhtml:link")
                        .with_attribute(("rel", "alternate"))
                        .with_attribute(("hreflang", alt.code.as_str()))
                        .with_attribute(("href", c.permalink(&alt.code, &path).as_str()))
                        .write_empty()?;
                }
                w.create_element("xhtml:link")
                    .with_attribute(("rel", "alternate"))
                    .with_attribute(("hreflang", "x-default"))
                    .with_attribute(("href", c.permalink(c.default_language(), &path).as_str()))
                    .write_empty()?;
                w.write_event(Event::End(BytesEnd::new("url")))?;
            }
        }
        w.write_event(Event::End(BytesEnd::new("urlset")))?;
        Ok(())
    })();
    ok.expect("writing to memory");
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

pub fn robots(site: &Site) -> Vec<u8> {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n", site.config.base_url).into_bytes()
}
