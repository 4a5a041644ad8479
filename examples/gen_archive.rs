//! Writes a synthetic digest site of any size, for benchmarks: `N` monthly issues of bilingual entries.
//!
//! ```text
//! cargo run --release --example gen_archive -- --issues 120 --out /dev/shm/archive
//! ```
//!
//! Options: `--issues N` (default 120), `--entries N` per issue (default 42, spread over the six
//! topics), `--seed N` (default 1), `--out DIR` (required; must be absent or empty), and
//! `--shape links` for the shape of a links newsletter: short English entries (the default
//! language) with a Chinese edition that has no translations, every fifth item a recurring one
//! (defaults then 150 issues × 370). `--images` gives every entry of the monthly shape a picture
//! beside it (a 1600 × 900 JPEG, shown at the end of its text in both languages), for the image
//! benchmark of `docs/performance.md`.
//!
//! ```text
//! cargo run --release --example gen_archive -- --shape links --out /dev/shm/links
//! ```
//! The output is a function of the options alone: the same options give the same bytes.
//! Entries hold 2 to 4 KB of mixed Chinese and English prose with lists, tables, code blocks and
//! links, three tags out of twenty, an editor's note and further reading, in both languages.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// SplitMix64: tiny, fast and good enough to vary synthetic text; keeps the crate graph unchanged.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const TOPICS: [&str; 6] = ["releases", "news", "discussions", "reports", "products", "memes"];

const TAGS: [&str; 20] = [
    "kubernetes",
    "gateway-api",
    "networking",
    "security",
    "observability",
    "prometheus",
    "opentelemetry",
    "service-mesh",
    "istio",
    "linkerd",
    "helm",
    "gitops",
    "argo",
    "cncf",
    "storage",
    "ai",
    "serverless",
    "ebpf",
    "edge",
    "platform-engineering",
];

const PROJECTS: [&str; 24] = [
    "Kubernetes",
    "Gateway API",
    "Helm",
    "Istio",
    "Linkerd",
    "Envoy",
    "Cilium",
    "Prometheus",
    "OpenTelemetry",
    "Argo CD",
    "Flux",
    "Crossplane",
    "Knative",
    "KServe",
    "Kueue",
    "containerd",
    "runc",
    "etcd",
    "CoreDNS",
    "Falco",
    "Backstage",
    "Karmada",
    "KubeEdge",
    "Dapr",
];

const ZH_SUBJECTS: [&str; 12] = [
    "新版本",
    "社区",
    "维护者",
    "这项功能",
    "控制平面",
    "调度器",
    "这次改动",
    "新的 API",
    "默认配置",
    "升级路径",
    "多集群方案",
    "运维团队",
];

const ZH_VERBS: [&str; 12] = [
    "显著改善了",
    "重新设计了",
    "正式支持",
    "逐步淘汰了",
    "简化了",
    "补齐了",
    "默认启用了",
    "大幅降低了",
    "引入了",
    "统一了",
    "修复了",
    "扩展了",
];

const ZH_OBJECTS: [&str; 14] = [
    "节点之间的 TLS 握手",
    "大规模集群的启动时间",
    "资源配额的计算方式",
    "日志与指标的关联",
    "镜像拉取的失败重试",
    "证书轮换流程",
    "跨可用区的流量调度",
    "Pod 资源的原地调整",
    "准入控制的性能开销",
    "存储卷的快照与恢复",
    "服务网格的数据平面",
    "GPU 作业的排队策略",
    "权限模型的边界",
    "边缘节点的离线升级",
];

const ZH_TAILS: [&str; 10] = [
    "，这对生产环境尤其重要。",
    "，用户几乎不需要修改现有配置。",
    "，社区为此讨论了将近一年。",
    "，升级前仍建议先在测试集群验证。",
    "，相关文档也同步更新。",
    "。",
    "，后续版本还会继续完善。",
    "，并提供了迁移工具。",
    "，多家厂商已经表示支持。",
    "，基准测试显示效果明显。",
];

const EN_SUBJECTS: [&str; 12] = [
    "The release",
    "The community",
    "The maintainers",
    "This feature",
    "The control plane",
    "The scheduler",
    "The change",
    "The new API",
    "The default configuration",
    "The upgrade path",
    "The multi-cluster design",
    "Operations teams",
];

const EN_VERBS: [&str; 12] = [
    "noticeably improves",
    "redesigns",
    "now officially supports",
    "phases out",
    "simplifies",
    "fills the gaps in",
    "turns on by default",
    "sharply reduces",
    "introduces",
    "unifies",
    "fixes",
    "extends",
];

const EN_OBJECTS: [&str; 14] = [
    "the TLS handshake between nodes",
    "the start-up time of large clusters",
    "the way resource quotas are computed",
    "the correlation of logs and metrics",
    "retries of failed image pulls",
    "certificate rotation",
    "traffic steering across zones",
    "in-place resizing of Pod resources",
    "the overhead of admission control",
    "volume snapshots and restores",
    "the data plane of the service mesh",
    "queueing of GPU jobs",
    "the boundaries of the permission model",
    "offline upgrades of edge nodes",
];

const EN_TAILS: [&str; 10] = [
    ", which matters most in production.",
    ", and existing configuration rarely needs to change.",
    ", after almost a year of discussion.",
    "; test it on a staging cluster before upgrading.",
    ", and the documentation has been updated to match.",
    ".",
    ", with more to come in the next releases.",
    ", and a migration tool is provided.",
    ", and several vendors have announced support.",
    ", with clear gains in the benchmarks.",
];

const CODE: [&str; 4] = [
    "```yaml\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: store\nspec:\n  parentRefs:\n  - name: external\n  rules:\n  - backendRefs:\n    - name: store-v2\n      port: 8080\n```\n",
    "```sh\nkubectl get pods -A -o wide\nhelm upgrade --install demo ./chart --wait\n```\n",
    "```go\nfunc (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {\n\tlog := log.FromContext(ctx)\n\tlog.Info(\"reconciling\", \"name\", req.Name)\n\treturn ctrl.Result{}, nil\n}\n```\n",
    "```toml\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = \"registry.k8s.io/pause:3.10\"\n```\n",
];

/// The words of one language.
struct Lang {
    subjects: &'static [&'static str],
    verbs: &'static [&'static str],
    objects: &'static [&'static str],
    tails: &'static [&'static str],
    /// Whether words are joined by spaces.
    spaced: bool,
}

const ZH: Lang =
    Lang { subjects: &ZH_SUBJECTS, verbs: &ZH_VERBS, objects: &ZH_OBJECTS, tails: &ZH_TAILS, spaced: false };
const EN: Lang =
    Lang { subjects: &EN_SUBJECTS, verbs: &EN_VERBS, objects: &EN_OBJECTS, tails: &EN_TAILS, spaced: true };

fn sentence(rng: &mut Rng, l: &Lang) -> String {
    let project = rng.pick(&PROJECTS);
    let (s, v, o, t) = (rng.pick(l.subjects), rng.pick(l.verbs), rng.pick(l.objects), rng.pick(l.tails));
    let version = format!("v{}.{}", 1 + rng.below(3), rng.below(40));
    match (l.spaced, rng.below(4)) {
        (false, 0) => format!("{project} {version} 中，{s}{v}{o}{t}"),
        (false, 1) => format!("{s}{v}{o}，[{project}]({}){t}", link(rng)),
        (false, 2) => format!("对于使用 `{}` 的团队，{s}{v}{o}{t}", project.to_lowercase().replace(' ', "-")),
        (false, _) => format!("**{project}**：{s}{v}{o}{t}"),
        (true, 0) => format!("In {project} {version}, {} {v} {o}{t}", s.to_lowercase()),
        (true, 1) => format!("{s} {v} {o} in [{project}]({}){t}", link(rng)),
        (true, 2) => {
            format!("For teams running `{}`, {} {v} {o}{t}", project.to_lowercase().replace(' ', "-"), s.to_lowercase())
        }
        (true, _) => format!("**{project}**: {} {v} {o}{t}", s.to_lowercase()),
    }
}

fn link(rng: &mut Rng) -> String {
    let hosts = ["kubernetes.io/blog", "www.cncf.io/blog", "github.com/cncf", "istio.io/latest/news", "helm.sh/blog"];
    format!("https://{}/{}-{}/", rng.pick(&hosts), rng.pick(&TAGS), rng.below(10_000))
}

fn paragraph(rng: &mut Rng, l: &Lang) -> String {
    let n = 2 + rng.below(3);
    let sep = if l.spaced { " " } else { "" };
    (0..n).map(|_| sentence(rng, l)).collect::<Vec<_>>().join(sep) + "\n"
}

fn list(rng: &mut Rng, l: &Lang) -> String {
    (0..3 + rng.below(3)).map(|_| format!("- {}\n", sentence(rng, l))).collect()
}

fn table(rng: &mut Rng, l: &Lang) -> String {
    let head = if l.spaced { "| Component | Before | After |\n" } else { "| 组件 | 之前 | 之后 |\n" };
    let mut s = format!("{head}|---|---:|---:|\n");
    for _ in 0..3 + rng.below(3) {
        let _ = writeln!(s, "| {} | {} ms | {} ms |", rng.pick(&PROJECTS), 100 + rng.below(900), 10 + rng.below(90));
    }
    s
}

/// A body of `min..max` bytes: paragraphs with a heading, a list, and sometimes a table or code.
fn body(rng: &mut Rng, l: &Lang, min: usize) -> String {
    let mut blocks = vec![paragraph(rng, l), paragraph(rng, l), list(rng, l)];
    if rng.chance(40) {
        blocks.push(table(rng, l));
    }
    if rng.chance(40) {
        blocks.push(rng.pick(&CODE).to_string());
    }
    blocks.insert(2, format!("## {}\n", if l.spaced { "What changed" } else { "主要变化" }));
    let target = min + rng.below(1500);
    while blocks.iter().map(String::len).sum::<usize>() < target {
        blocks.push(paragraph(rng, l));
    }
    blocks.join("\n")
}

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

struct Opts {
    issues: usize,
    entries: usize,
    seed: u64,
    out: PathBuf,
    links: bool,
    images: bool,
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts { issues: 120, entries: 42, seed: 1, out: PathBuf::new(), links: false, images: false };
    let (mut issues, mut entries) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--issues" => issues = Some(value()?.parse().map_err(|e| format!("--issues: {e}"))?),
            "--entries" => entries = Some(value()?.parse().map_err(|e| format!("--entries: {e}"))?),
            "--shape" => match value()?.as_str() {
                "links" => o.links = true,
                "monthly" => o.links = false,
                other => return Err(format!("--shape: {other:?} is neither monthly nor links")),
            },
            "--images" => o.images = true,
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => o.out = PathBuf::from(value()?),
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if o.out.as_os_str().is_empty() {
        return Err("--out DIR is required".into());
    }
    let defaults = if o.links { (150, 370) } else { (120, 42) };
    o.issues = issues.unwrap_or(defaults.0);
    o.entries = entries.unwrap_or(defaults.1);
    Ok(o)
}

const CONFIG: &str = r#"# A synthetic archive written by `cargo run --example gen_archive`.
base_url = "https://digest.example.org"
default_language = "zh"

[languages.zh]
title = "云原生月报"
description = "每月云原生动态"

[languages.en]
title = "Cloud Native Monthly"
description = "Cloud native news, every month"
"#;

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

fn issue_key(n: usize) -> (String, i32, u32) {
    let (y, m) = (2016 + (n / 12) as i32, (n % 12) as u32 + 1);
    (format!("{y:04}-{m:02}"), y, m)
}

const LINKS_CONFIG: &str = r#"# A synthetic links newsletter written by `cargo run --example gen_archive -- --shape links`.
base_url = "https://links.example.org"
default_language = "en"

[languages.en]
title = "Cloud Native Links"
description = "Every link worth reading, every month"

[languages.zh]
title = "云原生链接"
description = "每月值得一读的链接"
"#;

/// How many recurring sources a links newsletter has: more than a fifth of an issue's items, so
/// that no issue holds one twice.
const RECURRING: usize = 80;

/// A links newsletter: every entry a short English item, the Chinese edition all fallbacks;
/// every fifth item recurs.
fn generate_links(o: &Opts) -> std::io::Result<(usize, u64)> {
    let mut rng = Rng(o.seed);
    let (mut files, mut bytes) = (0, 0u64);
    let mut put = |path: PathBuf, text: String| -> std::io::Result<()> {
        files += 1;
        bytes += text.len() as u64;
        write(&path, &text)
    };
    put(o.out.join("config.toml"), LINKS_CONFIG.to_string())?;
    for n in 0..o.issues {
        let (key, y, m) = issue_key(n);
        let dir = o.out.join("content").join(&key);
        let intro = paragraph(&mut rng, &EN);
        put(
            dir.join("_index.md"),
            format!("+++\ntitle = \"Links of {y}-{m:02}\"\ndate = {key}-28\nnumber = {}\n+++\n{intro}", n + 1),
        )?;
        for e in 0..o.entries {
            let topic = TOPICS[e % TOPICS.len()];
            let project = *rng.pick(&PROJECTS);
            let slug = format!("{}-{e}", project.to_lowercase().replace(' ', "-"));
            // Every fifth item recurs from issue to issue (a weekly meeting, a monthly meetup, a
            // standing call for participation): the same source, once an issue.
            let source = if e % 5 == 0 {
                format!("https://community.example.com/recurring/{}", (e / 5) % RECURRING)
            } else {
                format!("https://{}.example.com/{key}/{e}", project.to_lowercase().replace(' ', "-"))
            };
            let note = if rng.chance(30) {
                format!("editor_note = {}\n", toml_str(&sentence(&mut rng, &EN)))
            } else {
                String::new()
            };
            let tag = *rng.pick(&TAGS);
            let text = sentence(&mut rng, &EN) + " " + &sentence(&mut rng, &EN);
            put(
                dir.join(topic).join(format!("{slug}.md")),
                format!(
                    "+++\ntitle = \"{project}: {}\"\nsource = \"{source}\"\ndate = {key}-{:02}\ntags = [\"{tag}\"]\n{note}+++\n{text}\n",
                    rng.pick(&EN_OBJECTS),
                    1 + rng.below(28),
                ),
            )?;
        }
    }
    Ok((files, bytes))
}

fn generate(o: &Opts) -> std::io::Result<(usize, u64)> {
    if o.links {
        return generate_links(o);
    }
    let mut rng = Rng(o.seed);
    let mut files = 0;
    let mut bytes = 0u64;
    let mut put = |path: PathBuf, text: String| -> std::io::Result<()> {
        files += 1;
        bytes += text.len() as u64;
        write(&path, &text)
    };
    put(o.out.join("config.toml"), CONFIG.to_string())?;
    for n in 0..o.issues {
        let (key, y, m) = issue_key(n);
        let dir = o.out.join("content").join(&key);
        let intro_zh = paragraph(&mut rng, &ZH) + "\n" + &paragraph(&mut rng, &ZH);
        let intro_en = paragraph(&mut rng, &EN) + "\n" + &paragraph(&mut rng, &EN);
        put(
            dir.join("_index.md"),
            format!(
                "+++\ntitle = \"云原生月报 {y} 年 {m} 月\"\ndate = {key}-28\nnumber = {}\nsummary = {}\neditors = [\"digest editors\"]\n+++\n{intro_zh}",
                n + 1,
                toml_str(sentence(&mut rng, &ZH).trim_end_matches('。')),
            ),
        )?;
        put(
            dir.join("_index.en.md"),
            format!(
                "+++\ntitle = \"Cloud Native Monthly, {}\"\nsummary = {}\n+++\n{intro_en}",
                digest::site::i18n::month("en", y, m),
                toml_str(sentence(&mut rng, &EN).trim_end_matches('.')),
            ),
        )?;
        for e in 0..o.entries {
            let topic = TOPICS[e % TOPICS.len()];
            let project = *rng.pick(&PROJECTS);
            let slug = format!("{}-{}-{e}", project.to_lowercase().replace(' ', "-"), rng.below(100));
            let mut tags: Vec<&str> = Vec::new();
            while tags.len() < 3 {
                let t = *rng.pick(&TAGS);
                if !tags.contains(&t) {
                    tags.push(t);
                }
            }
            let tags = tags.iter().map(|t| toml_str(t)).collect::<Vec<_>>().join(", ");
            let version = format!("{}.{}", 1 + rng.below(3), rng.below(40));
            let source = link(&mut rng);
            let further = link(&mut rng);
            let day = 1 + rng.below(28);
            let note_zh = sentence(&mut rng, &ZH);
            let note_en = sentence(&mut rng, &EN);
            let mut body_zh = body(&mut rng, &ZH, 2000);
            let mut body_en = body(&mut rng, &EN, 2000);
            if o.images {
                let bytes = picture(rng.below(1 << 30) as u32);
                std::fs::create_dir_all(dir.join(topic))?;
                std::fs::write(dir.join(topic).join(format!("{slug}.jpg")), bytes)?;
                body_zh.push_str(&format!("\n\n![{project} {version} 示意图]({slug}.jpg)\n"));
                body_en.push_str(&format!("\n\n![{project} {version} diagram]({slug}.jpg)\n"));
            }
            put(
                dir.join(topic).join(format!("{slug}.md")),
                format!(
                    "+++\ntitle = \"{project} {version}：{}\"\noriginal_title = \"{project} {version} released\"\nsource = \"{source}\"\ndate = {key}-{day:02}\nweight = {}\ntags = [{tags}]\neditor_note = {}\n[[further_reading]]\ntitle = \"{project} 文档\"\nurl = \"{further}\"\n+++\n{body_zh}",
                    rng.pick(&ZH_OBJECTS),
                    10 * (e / TOPICS.len() + 1),
                    toml_str(&note_zh),
                ),
            )?;
            put(
                dir.join(topic).join(format!("{slug}.en.md")),
                format!(
                    "+++\ntitle = \"{project} {version}: {}\"\noriginal_title = \"{project} {version} released\"\neditor_note = {}\n[[further_reading]]\ntitle = \"{project} documentation\"\nurl = \"{further}\"\n+++\n{body_en}",
                    rng.pick(&EN_OBJECTS),
                    toml_str(&note_en),
                ),
            )?;
        }
    }
    Ok((files, bytes))
}

/// A 1600 × 900 JPEG, a photo's weight (about 150 KB): a gradient under blocks of colour and
/// fine noise, different for every `seed`.
fn picture(seed: u32) -> Vec<u8> {
    let mut state = seed | 1;
    let img = image::RgbImage::from_fn(1600, 900, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 31) as u8;
        let block = ((x / 200 + y / 150 + seed) % 7) as u8;
        image::Rgb([(x / 7) as u8 ^ (block * 30), (y / 4) as u8 + noise, block * 35 + noise])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).expect("a JPEG");
    out.into_inner()
}

fn main() -> std::process::ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\nusage: gen_archive --out DIR [--issues N] [--entries N] [--seed N]");
            return std::process::ExitCode::from(2);
        }
    };
    if std::fs::read_dir(&o.out).is_ok_and(|mut d| d.next().is_some()) {
        eprintln!("error: {} is not empty", o.out.display());
        return std::process::ExitCode::from(1);
    }
    match generate(&o) {
        Ok((files, bytes)) => {
            eprintln!("wrote {files} files ({} KB) into {}", bytes / 1024, o.out.display());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
