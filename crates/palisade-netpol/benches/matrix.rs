//! The performance target: 1,000 workloads in 50 namespaces with 300 policies — the
//! full matrix in at most 1 s, one `reach` in at most 10 ms.
//!
//!     cargo bench -p palisade-netpol --bench matrix
//!
//! The cluster is generated: 50 namespaces (labelled with one of ten teams) of 20 workloads
//! (web, api, db, batch and cache tiers, named and numbered container ports), and per namespace
//! six policies: a default deny, DNS egress, ingress to the data tiers from the api tier of the
//! previous team's namespaces, ingress on a named port from the namespace, egress to the next namespace's databases, and egress to
//! the internet outside 10.0.0.0/8 on a port and a port range. Prints the best of 5 runs. Also
//! times the plaintext paths (issue 9) with half the namespaces meshed by Istio.

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade_k8s::load_stream;
use palisade_netpol::{MatrixOptions, Model};

const NAMESPACES: usize = 50;
const WORKLOADS_PER_NAMESPACE: usize = 20;
const TIERS: [&str; 5] = ["web", "api", "db", "batch", "cache"];

/// The cluster; with `half_open`, the even namespaces have no default deny and no DNS policy
/// (two other policies take their place: still 300), so most pairs are allowed.
fn cluster(half_open: bool) -> String {
    let mut yaml = String::new();
    for n in 0..NAMESPACES {
        let ns = format!("ns-{n}");
        let next = format!("ns-{}", (n + 1) % NAMESPACES);
        let _ = write!(
            yaml,
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}, labels: {{team: team-{}}}}}\n---\n",
            n % 10
        );
        for w in 0..WORKLOADS_PER_NAMESPACE {
            let tier = TIERS[w % TIERS.len()];
            let _ = write!(
                yaml,
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{w}, namespace: {ns}}}\nspec:\n  template:\n    metadata: {{labels: {{app: w{w}, tier: {tier}}}}}\n    spec:\n      containers:\n      - name: main\n        image: example\n        ports: [{{name: http, containerPort: {}}}, {{containerPort: 5432}}]\n---\n",
                8000 + w
            );
        }
        let policies = [
            ("default-deny", "{podSelector: {}, policyTypes: [Ingress, Egress]}".to_string()),
            (
                "dns",
                "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]}]}".to_string(),
            ),
            (
                "data-from-previous-team",
                format!(
                    "{{podSelector: {{matchExpressions: [{{key: tier, operator: In, values: [db, cache]}}]}}, ingress: [{{from: [{{namespaceSelector: {{matchLabels: {{team: team-{}}}}}, podSelector: {{matchLabels: {{tier: api}}}}}}], ports: [{{port: 5432}}]}}]}}",
                    (n + 9) % 10
                ),
            ),
            (
                "web-named",
                "{podSelector: {matchLabels: {tier: web}}, ingress: [{from: [{podSelector: {}}], ports: [{port: http}]}]}".to_string(),
            ),
            (
                "api-to-next-db",
                format!(
                    "{{podSelector: {{matchLabels: {{tier: api}}}}, policyTypes: [Egress], egress: [{{to: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: {next}}}}}, podSelector: {{matchExpressions: [{{key: tier, operator: In, values: [db, cache]}}]}}}}], ports: [{{port: 5432}}]}}]}}"
                ),
            ),
            (
                "batch-internet",
                "{podSelector: {matchLabels: {tier: batch}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}], ports: [{port: 443}, {port: 8000, endPort: 8100}]}]}".to_string(),
            ),
        ];
        let skip = if half_open && n % 2 == 0 { 2 } else { 0 };
        for (name, spec) in policies
            .iter()
            .skip(skip)
            .chain(policies[2..4].iter().take(skip))
        {
            let name = if skip > 0 && ["data-from-previous-team", "web-named"].contains(name) {
                format!("{name}-2")
            } else {
                name.to_string()
            };
            let _ = write!(
                yaml,
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {spec}\n---\n"
            );
        }
    }
    yaml
}

fn best_of<T>(runs: usize, mut work: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let result = work();
        best = best.min(start.elapsed());
        last = Some(result);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    for half_open in [false, true] {
        measure(half_open);
    }
}

fn measure(half_open: bool) {
    println!(
        "{}",
        if half_open {
            "== half the namespaces without default deny"
        } else {
            "== every namespace with a default deny"
        }
    );
    let yaml = cluster(half_open);
    let (load, loaded) = best_of(1, || load_stream(&Arc::from("bench.yaml"), &yaml));
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let (build, model) = best_of(5, || Model::from_objects(&loaded.objects));
    assert_eq!(model.policies.len(), NAMESPACES * 6);
    println!(
        "input: {} workloads (+ synthetic DNS) in {NAMESPACES} namespaces, {} policies, {:.1} MiB of YAML loaded in {:.0} ms",
        model.workloads.len() - 1,
        model.policies.len(),
        yaml.len() as f64 / (1024.0 * 1024.0),
        load.as_secs_f64() * 1000.0
    );
    println!(
        "model and selection indexes: {:.1} ms (best of 5)",
        build.as_secs_f64() * 1000.0
    );

    let (matrix_time, matrix) = best_of(5, || model.matrix(MatrixOptions { ip_blocks: true }));
    println!(
        "full matrix: {:.0} ms (best of 5; {} endpoints, {} allowed pairs)",
        matrix_time.as_secs_f64() * 1000.0,
        matrix.endpoints.len(),
        matrix.connections.len()
    );

    let from = model.parse_endpoint("ns-7/w1").expect("an api workload");
    let to = model.parse_endpoint("ns-8/w2").expect("a db workload");
    let port = Some("5432/TCP".parse().expect("a port"));
    let queries = 1000;
    let (reach_time, allowed) = best_of(5, || {
        (0..queries)
            .filter(|_| black_box(model.reach(black_box(from), black_box(to), port)).allowed)
            .count()
    });
    assert_eq!(
        allowed, queries,
        "api may reach the next namespace's db on 5432"
    );
    println!(
        "one reach with explanation: {:.1} µs (best of 5 runs of {queries})",
        reach_time.as_secs_f64() * 1e6 / queries as f64
    );

    // Half the namespaces (the even teams) meshed by Istio at its default PERMISSIVE: every
    // allowed connection from an unmeshed workload to a meshed one is a plaintext path.
    let mut meshed = yaml.clone();
    for team in (0..10).step_by(2) {
        meshed = meshed.replace(
            &format!("labels: {{team: team-{team}}}"),
            &format!("labels: {{istio-injection: enabled, team: team-{team}}}"),
        );
    }
    let loaded = load_stream(&Arc::from("bench.yaml"), &meshed);
    let model = Model::from_objects(&loaded.objects);
    let (plaintext_time, paths) = best_of(5, || {
        let mut count = 0;
        model.plaintext_paths(|paths| count += paths.clients.len());
        count
    });
    println!(
        "plaintext paths, half the namespaces meshed: {:.0} ms (best of 5; {paths} paths)",
        plaintext_time.as_secs_f64() * 1000.0
    );
}
