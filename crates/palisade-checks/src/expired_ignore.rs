//! The rule suppression itself reports under: an `[[ignore]]` entry past its `expires` date.

use palisade_core::{Reference, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "expiredIgnore",
    name: "expired-ignore",
    severity: Severity::Medium,
    category: "configuration",
    title: "Ignore entry past its expiry date",
    doc: r#"An accepted risk should be reviewed when its acceptance runs out.

**What it finds.** An `[[ignore]]` entry of `palisade.toml` whose `expires` date has passed
(an entry is valid through its `expires` date, and expired from the next day, UTC). The
expired entry no longer suppresses anything: the findings it matched are reported again (unless
another entry or the baseline accepts them too), and this finding points at the entry itself.

**Why it matters.** Exceptions granted "for now" tend to become permanent. An expiry date
forces the review; palisade makes sure the review happens.

**Failing**
```toml
[[ignore]]
rule = "privileged"
name = "cni-*"
reason = "the CNI agent needs it until the eBPF rewrite"
expires = 2024-01-31
```

**Passing**
```toml
[[ignore]]
rule = "privileged"
name = "cni-*"
reason = "the CNI agent needs it until the eBPF rewrite"
expires = 2099-01-31
```"#,
    remediation: "Fix the findings the entry accepted, or review the exception and move its `expires` date (saying why in `reason`).",
    aliases: &[],
    frameworks: &[],
    references: &[Reference {
        framework: "palisade",
        id: "palisade.toml",
        url: "https://github.com/palisade-dev/palisade#configuration-palisadetoml",
    }],
};
