//! The questions asked of a model: may this endpoint connect to that one (and which policy rule
//! allows it, or which isolation denies it), and the full connectivity matrix.

use std::fmt;
use std::net::IpAddr;

use palisade_core::Location;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::cidr::{Cidr, Family, covered};
use crate::eval::{CompiledRule, Endpoint};
use crate::model::{Direction, Model};
use crate::ports::{PortSet, Protocol};

/// An endpoint as output shows it: `{namespace, name, kind}` or `{ipBlock}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum EndpointRef {
    Workload {
        namespace: String,
        name: String,
        kind: String,
    },
    IpBlock {
        #[serde(rename = "ipBlock")]
        ip_block: String,
    },
}

impl fmt::Display for EndpointRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointRef::Workload {
                namespace, name, ..
            } => write!(f, "{namespace}/{name}"),
            EndpointRef::IpBlock { ip_block } => f.write_str(ip_block),
        }
    }
}

/// A protocol and port a `reach` question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PortQuery {
    pub protocol: Protocol,
    pub port: u16,
}

impl std::str::FromStr for PortQuery {
    type Err = String;

    /// `5432`, `5432/TCP` or `53/udp`.
    fn from_str(text: &str) -> Result<PortQuery, String> {
        let (port, protocol) = text.split_once('/').unwrap_or((text, "TCP"));
        let protocol = Protocol::parse_lenient(protocol)
            .ok_or_else(|| format!("{text:?}: the protocol must be TCP, UDP or SCTP"))?;
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| format!("{text:?}: expected a port from 1 to 65535"))?;
        Ok(PortQuery { protocol, port })
    }
}

/// A rule that matched the other end of a connection, with the ports it allows there.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMatch {
    /// `namespace/name` of the policy.
    pub policy: String,
    pub direction: Direction,
    /// Index of the rule in the policy's `ingress` or `egress` list.
    pub rule: usize,
    pub ports: PortSet,
    pub location: Location,
}

/// A policy isolating a pod in one direction.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRef {
    pub policy: String,
    pub location: Location,
}

/// What one side of a connection says: the source's egress, or the destination's ingress.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "camelCase")]
pub enum Verdict {
    /// No policy restricts this side.
    NotIsolated { reason: String },
    /// Isolated, and these rules allow the connection.
    Allowed { rules: Vec<RuleMatch> },
    /// Isolated by these policies, and none of their rules allows the connection; rules that
    /// match the other end on other ports are listed.
    Denied {
        #[serde(rename = "isolatedBy")]
        isolated_by: Vec<PolicyRef>,
        #[serde(rename = "otherPorts")]
        other_ports: Vec<RuleMatch>,
    },
}

impl Verdict {
    pub fn allows(&self) -> bool {
        !matches!(self, Verdict::Denied { .. })
    }
}

/// The answer to `reach`.
#[derive(Debug, Clone, Serialize)]
pub struct Reach {
    pub from: EndpointRef,
    pub to: EndpointRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortQuery>,
    pub allowed: bool,
    /// Every port the connection is allowed on.
    pub ports: PortSet,
    pub egress: Verdict,
    pub ingress: Verdict,
    /// One sentence for people.
    pub summary: String,
}

/// Which endpoints a matrix has beside the workloads.
#[derive(Debug, Clone, Copy, Default)]
pub struct MatrixOptions {
    /// Add an endpoint for every CIDR the policies name (each standing for its addresses
    /// outside the narrower CIDRs named); without it, only the internet at large
    /// (`0.0.0.0/0` and `::/0`, minus every CIDR the policies name).
    pub ip_blocks: bool,
}

/// One allowed connection of a matrix: indexes into [`Matrix::endpoints`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub from: usize,
    pub to: usize,
    pub ports: PortSet,
}

/// Who may connect to whom, on which ports. Pairs without a connection are denied. Serializes
/// as `{"endpoints": [...], "connections": [{"from", "to", "ports"}]}` with endpoints written
/// out in each connection.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub endpoints: Vec<EndpointRef>,
    /// Sorted by `(from, to)`.
    pub connections: Vec<Connection>,
}

impl Matrix {
    /// The ports `from` may connect to `to` on (`None`: denied).
    pub fn ports(&self, from: usize, to: usize) -> Option<&PortSet> {
        self.connections
            .binary_search_by_key(&(from, to), |c| (c.from, c.to))
            .ok()
            .map(|i| &self.connections[i].ports)
    }

    /// The index of an endpoint shown as `namespace/name` or as a CIDR.
    pub fn position(&self, shown: &str) -> Option<usize> {
        self.endpoints.iter().position(|e| e.to_string() == shown)
    }
}

impl Serialize for Matrix {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Connections<'a>(&'a Matrix);
        impl Serialize for Connections<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.connections.iter().map(|c| ConnectionOut {
                    from: &self.0.endpoints[c.from],
                    to: &self.0.endpoints[c.to],
                    ports: &c.ports,
                }))
            }
        }
        #[derive(Serialize)]
        struct ConnectionOut<'a> {
            from: &'a EndpointRef,
            to: &'a EndpointRef,
            ports: &'a PortSet,
        }
        let mut out = serializer.serialize_struct("Matrix", 2)?;
        out.serialize_field("endpoints", &self.endpoints)?;
        out.serialize_field("connections", &Connections(self))?;
        out.end()
    }
}

impl Model {
    pub fn endpoint_ref(&self, endpoint: Endpoint) -> EndpointRef {
        match endpoint {
            Endpoint::Workload(w) => {
                let workload = &self.workloads[w];
                EndpointRef::Workload {
                    namespace: workload.namespace.clone(),
                    name: workload.name.clone(),
                    kind: workload.kind.clone(),
                }
            }
            Endpoint::External(cidr) => EndpointRef::IpBlock {
                ip_block: cidr.to_string(),
            },
        }
    }

    /// An endpoint as a command line names it: `namespace/name` (or `namespace/kind/name`), an
    /// IP address, a CIDR as the matrix shows it (see [`Endpoint::External`]), or `external`
    /// (an IPv4 address no policy names).
    pub fn parse_endpoint(&self, text: &str) -> Result<Endpoint, String> {
        if text == "external" {
            return Ok(Endpoint::External(Cidr::everything(Family::V4)));
        }
        if let Ok(address) = text.parse::<IpAddr>() {
            return Ok(Endpoint::External(Cidr::host(address)));
        }
        if let Ok(cidr) = text.parse::<Cidr>() {
            return Ok(Endpoint::External(cidr));
        }
        self.find_workload(text).map(Endpoint::Workload)
    }

    /// The external endpoints of a matrix: the internet at large in both families, and with
    /// `ip_blocks` every CIDR the policies name whose own addresses are not all in narrower
    /// named CIDRs.
    pub fn external_endpoints(&self, options: MatrixOptions) -> Vec<Endpoint> {
        let named = &self.index.named_cidrs;
        let mut blocks = vec![Cidr::everything(Family::V4), Cidr::everything(Family::V6)];
        if options.ip_blocks {
            blocks.extend(named.iter().copied());
        }
        blocks.sort_unstable();
        blocks.dedup();
        blocks
            .into_iter()
            .filter(|block| !covered(block, named))
            .map(Endpoint::External)
            .collect()
    }

    /// Every allowed connection between the workloads and the external endpoints (external to
    /// external left out: policies say nothing about it).
    pub fn matrix(&self, options: MatrixOptions) -> Matrix {
        let endpoints: Vec<Endpoint> = (0..self.workloads.len())
            .map(Endpoint::Workload)
            .chain(self.external_endpoints(options))
            .collect();
        let mut connections = Vec::new();
        for (i, &from) in endpoints.iter().enumerate() {
            for (j, &to) in endpoints.iter().enumerate() {
                if matches!(from, Endpoint::External(_)) && matches!(to, Endpoint::External(_)) {
                    continue;
                }
                let ports = self.allowed_ports(from, to);
                if !ports.is_empty() {
                    connections.push(Connection {
                        from: i,
                        to: j,
                        ports,
                    });
                }
            }
        }
        Matrix {
            endpoints: endpoints
                .into_iter()
                .map(|e| self.endpoint_ref(e))
                .collect(),
            connections,
        }
    }

    /// Whether `from` may connect to `to` (on `port`, or on any port), with the policy rules
    /// that allow it on each side or the isolation that denies it.
    pub fn reach(&self, from: Endpoint, to: Endpoint, port: Option<PortQuery>) -> Reach {
        let egress = self.verdict(Direction::Egress, from, to, port);
        let ingress = self.verdict(Direction::Ingress, from, to, port);
        let ports = self.allowed_ports(from, to);
        let allowed = match port {
            Some(q) => ports.contains(q.protocol, q.port),
            None => !ports.is_empty(),
        };
        let (from, to) = (self.endpoint_ref(from), self.endpoint_ref(to));
        let summary = summarize(&from, &to, port, allowed, &ports, &egress, &ingress);
        Reach {
            from,
            to,
            port,
            allowed,
            ports,
            egress,
            ingress,
            summary,
        }
    }

    fn verdict(
        &self,
        direction: Direction,
        from: Endpoint,
        to: Endpoint,
        port: Option<PortQuery>,
    ) -> Verdict {
        let subject = match direction {
            Direction::Egress => from,
            Direction::Ingress => to,
        };
        let Endpoint::Workload(subject) = subject else {
            return Verdict::NotIsolated {
                reason: "outside the cluster: no NetworkPolicy applies".to_string(),
            };
        };
        let mut matched: Vec<RuleMatch> = Vec::new();
        let side = self.side(direction, from, to, &mut |rule: &CompiledRule, ports| {
            matched.push(self.rule_match(rule, ports.clone()));
        });
        if side.is_none() {
            let reason = if self.workloads[subject].host_network {
                "hostNetwork pods are not subject to NetworkPolicies".to_string()
            } else {
                format!("no NetworkPolicy selects it for {}", direction.as_str())
            };
            return Verdict::NotIsolated { reason };
        }
        let allows = |m: &RuleMatch| match port {
            Some(q) => m.ports.contains(q.protocol, q.port),
            None => !m.ports.is_empty(),
        };
        let (allowing, other): (Vec<RuleMatch>, Vec<RuleMatch>) =
            matched.into_iter().partition(allows);
        if !allowing.is_empty() {
            return Verdict::Allowed { rules: allowing };
        }
        Verdict::Denied {
            isolated_by: self
                .isolating(direction, subject)
                .iter()
                .map(|&p| {
                    let policy = &self.policies[p];
                    PolicyRef {
                        policy: policy.id(),
                        location: policy.source.location.clone(),
                    }
                })
                .collect(),
            other_ports: other,
        }
    }

    fn rule_match(&self, rule: &CompiledRule, ports: PortSet) -> RuleMatch {
        let policy = &self.policies[rule.policy];
        RuleMatch {
            policy: policy.id(),
            direction: rule.direction,
            rule: rule.index,
            ports,
            location: policy.rules(rule.direction)[rule.index].location.clone(),
        }
    }
}

fn describe_side(direction: Direction, verdict: &Verdict) -> String {
    match verdict {
        Verdict::NotIsolated { reason } => {
            format!("{} not isolated ({reason})", direction.as_str())
        }
        Verdict::Allowed { rules } => {
            let rules: Vec<String> = rules
                .iter()
                .map(|r| format!("{} rule {}", r.policy, r.rule))
                .collect();
            format!("{} allowed by {}", direction.as_str(), rules.join(", "))
        }
        Verdict::Denied { isolated_by, .. } => {
            let policies: Vec<&str> = isolated_by.iter().map(|p| p.policy.as_str()).collect();
            format!(
                "{} isolated by {} and no rule matches",
                direction.as_str(),
                policies.join(", ")
            )
        }
    }
}

fn summarize(
    from: &EndpointRef,
    to: &EndpointRef,
    port: Option<PortQuery>,
    allowed: bool,
    ports: &PortSet,
    egress: &Verdict,
    ingress: &Verdict,
) -> String {
    let on = match port {
        Some(q) => format!(" on {}/{}", q.port, q.protocol),
        None => String::new(),
    };
    let word = if allowed { "allowed" } else { "denied" };
    let mut summary = format!(
        "{from} → {to}{on}: {word}; {}; {}",
        describe_side(Direction::Egress, egress),
        describe_side(Direction::Ingress, ingress)
    );
    if !allowed && egress.allows() && ingress.allows() {
        summary.push_str("; the ports egress allows and the ports ingress allows do not overlap");
    } else if allowed && port.is_none() {
        summary.push_str(&format!("; ports: {ports}"));
    }
    summary
}
