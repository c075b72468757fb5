#!/usr/bin/env python3
"""Generate a deterministic, realistic Kubernetes manifest corpus for benchmarks.

    python3 bench/gen-corpus.py --docs 20000 --out bench/out/medium

The corpus mixes the kinds found in real repositories (workloads with varied
securityContexts -- some Pod Security Standards compliant, many not -- Services,
ConfigMaps with occasional large blobs, Secrets, RBAC, NetworkPolicies,
Ingresses, Namespaces with pod-security labels and ~2% large
CustomResourceDefinitions). Average document size is ~5 KB, so 2k docs is about
10 MB and 200k docs about 1 GB.

Layout: DIR/cluster-NN/part-NNN/manifests-NNNN.yaml, ~50 documents per file and
~100 files per part directory, plus a few JSON files (single objects and
`kind: List`) and a few YAML `kind: List` files. Output is byte-for-byte
reproducible for a given --seed and --docs.

Speed: each kind has a pool of pre-rendered variants ("templates") with
placeholders for name/namespace/app, so producing a document is a list join.
Only the standard library is used.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time

MARK = "\x00"  # placeholder delimiter inside templates: \x00field\x00
INFO_FILE = "CORPUS-INFO.txt"  # not .yaml/.json, so scanners ignore it

# --------------------------------------------------------------------------
# Minimal block-style YAML emitter (used only to build templates / JSON-free
# documents; not on the per-document hot path).

_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./:@+=-]*$")
_RESERVED = {
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nil", "~",
}


def _scalar(v, indent):
    """Return the YAML text for scalar v (may be a multi-line block)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return str(v)
    s = v
    if MARK in s:
        rest = re.sub(MARK + r"[a-z]+" + MARK, "", s)
        if rest == "" or (_PLAIN.match("a" + rest) and not rest.endswith(":")):
            return s
        return json.dumps(s).replace("\\u0000", MARK)
    if "\n" in s:
        if s[0] not in " \n" and not s.endswith("\n\n") and "\t" not in s and "\r" not in s:
            pad = " " * (indent + 2)
            head = "|" if s.endswith("\n") else "|-"
            body = "\n".join((pad + ln) if ln else "" for ln in s.rstrip("\n").split("\n"))
            return head + "\n" + body
        return json.dumps(s)
    if _PLAIN.match(s) and s.lower() not in _RESERVED and not s.endswith(":"):
        return s
    return json.dumps(s)


def _emit_map(d, indent, out):
    pad = " " * indent
    for k, v in d.items():
        key = _scalar(k, indent)
        if isinstance(v, dict):
            if v:
                out.append(f"{pad}{key}:")
                _emit_map(v, indent + 2, out)
            else:
                out.append(f"{pad}{key}: {{}}")
        elif isinstance(v, list):
            if v:
                out.append(f"{pad}{key}:")
                _emit_seq(v, indent + 2, out)
            else:
                out.append(f"{pad}{key}: []")
        else:
            out.append(f"{pad}{key}: {_scalar(v, indent)}")


def _emit_seq(items, indent, out):
    pad = " " * indent
    for v in items:
        if isinstance(v, dict) and v:
            start = len(out)
            _emit_map(v, indent + 2, out)
            out[start] = pad + "- " + out[start][indent + 2:]
        elif isinstance(v, list):
            raise ValueError("nested lists are not used by this generator")
        else:
            out.append(f"{pad}- {_scalar(v, indent)}")


def to_yaml(doc):
    out = []
    _emit_map(doc, 0, out)
    return "\n".join(out) + "\n"


class Template:
    """Pre-rendered text split at placeholders; render() is a join."""

    __slots__ = ("parts", "slots")

    def __init__(self, text):
        self.parts = text.split(MARK)
        self.slots = [(i, self.parts[i]) for i in range(1, len(self.parts), 2)]

    def render(self, vals):
        p = self.parts[:]
        for i, k in self.slots:
            p[i] = vals[k]
        return "".join(p)


P_NAME, P_NS, P_APP = MARK + "name" + MARK, MARK + "ns" + MARK, MARK + "app" + MARK

# --------------------------------------------------------------------------
# Vocabulary

WORDS = (
    "cart checkout catalog search payments orders billing invoice auth login "
    "session profile user account inventory shipping tracking notify email "
    "sms push gateway edge proxy router web frontend backend api graphql "
    "grpc worker scheduler cron report analytics metrics events stream ingest "
    "export import sync cache redis kafka rabbit queue ledger fraud risk "
    "pricing promo coupon review rating media image thumbnail upload storage "
    "audit compliance admin console portal docs status health config feature "
    "flags secrets vault token identity directory ldap sso oauth webhook"
).split()
COMPONENTS = ["api", "worker", "web", "consumer", "server", "controller", "gateway", "cron", "sidecar"]
TEAMS = ["platform", "payments", "growth", "search", "data", "identity", "core", "infra", "mobile", "ml"]
NAMESPACES = (
    ["default", "kube-system", "monitoring", "logging", "ingress-nginx", "cert-manager", "argocd"]
    + [f"{t}-{e}" for t in TEAMS for e in ("prod", "staging", "dev")]
)
IMAGES = [
    "nginx:1.27", "nginx:1.25.4-alpine", "nginx:latest", "redis:7.2", "redis:7.2.4-alpine",
    "postgres:16.3", "postgres:latest", "busybox:1.36", "busybox", "alpine:3.20", "alpine:latest",
    "python:3.12-slim", "python:latest", "node:20-alpine", "node:22", "golang:1.22",
    "gcr.io/distroless/static-debian12:nonroot", "gcr.io/distroless/base-debian12",
    "quay.io/prometheus/prometheus:v2.53.0", "quay.io/prometheus/node-exporter:v1.8.1",
    "grafana/grafana:11.1.0", "fluent/fluent-bit:3.0", "fluent/fluent-bit:latest",
    "registry.k8s.io/ingress-nginx/controller:v1.10.1", "quay.io/jetstack/cert-manager-controller:v1.15.1",
    "docker.io/bitnami/kafka:3.7", "rabbitmq:3.13-management", "envoyproxy/envoy:v1.30.2",
    "ghcr.io/example/app:1.4.2", "ghcr.io/example/app:latest", "example.azurecr.io/svc/api:2024.06.1",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:8f3c2a1",
    "ghcr.io/example/worker@sha256:" + hashlib.sha256(b"worker").hexdigest(),
    "mcr.microsoft.com/dotnet/aspnet:8.0", "eclipse-temurin:21-jre", "curlimages/curl:8.8.0",
]
ENV_NAMES = (
    "LOG_LEVEL LOG_FORMAT PORT HTTP_PORT GRPC_PORT METRICS_PORT ENVIRONMENT REGION "
    "DATABASE_HOST DATABASE_PORT DATABASE_NAME DATABASE_USER REDIS_HOST REDIS_PORT "
    "KAFKA_BROKERS KAFKA_TOPIC OTEL_EXPORTER_OTLP_ENDPOINT OTEL_SERVICE_NAME "
    "FEATURE_FLAGS_URL CACHE_TTL_SECONDS MAX_CONNECTIONS WORKER_CONCURRENCY "
    "JAVA_OPTS GOMAXPROCS NODE_ENV TZ S3_BUCKET SENTRY_DSN TRACING_SAMPLE_RATE"
).split()
SECRET_ENV = ["DATABASE_PASSWORD", "API_KEY", "JWT_SECRET", "STRIPE_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "SMTP_PASSWORD"]
RESOURCES = ["pods", "services", "deployments", "configmaps", "secrets", "jobs", "ingresses",
             "persistentvolumeclaims", "events", "endpoints", "leases", "pods/log", "pods/exec",
             "serviceaccounts", "statefulsets", "daemonsets", "networkpolicies", "nodes", "namespaces"]


def rand_words(rng, n=2):
    return "-".join(rng.choice(WORDS) for _ in range(n))


def b64(rng, nbytes):
    return base64.b64encode(rng.randbytes(nbytes)).decode()


def lorem(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


# --------------------------------------------------------------------------
# Pod specs

VIOLATIONS = [
    "privileged", "hostNetwork", "hostPID", "hostIPC", "hostPath", "hostPort", "capAdd",
    "allowPrivEsc", "runAsRoot", "seccompUnconfined", "apparmorUnconfined", "procMount",
    "sysctls", "seLinux", "nfsVolume", "runAsNonRootFalse", "dockerSock",
]


def probe(rng, port):
    kind = rng.random()
    if kind < 0.6:
        p = {"httpGet": {"path": rng.choice(["/healthz", "/readyz", "/livez", "/health", "/actuator/health"]),
                         "port": port}}
    elif kind < 0.85:
        p = {"tcpSocket": {"port": port}}
    else:
        p = {"exec": {"command": ["sh", "-c", "pg_isready -U postgres || exit 1"]}}
    p.update({"initialDelaySeconds": rng.choice([0, 5, 10, 15, 30]),
              "periodSeconds": rng.choice([5, 10, 15, 20]),
              "timeoutSeconds": rng.choice([1, 2, 3, 5]),
              "failureThreshold": rng.choice([3, 5, 6])})
    return p


def container(rng, idx, profile, viol, app, init=False):
    image = rng.choice(IMAGES)
    name = app if idx == 0 and not init else rng.choice(["sidecar", "proxy", "istio-proxy", "log-shipper",
                                                          "config-reloader", "migrate", "wait-for-db",
                                                          "init-perms", "envoy", "metrics"]) + str(idx)
    port = rng.choice([80, 8080, 8443, 3000, 5000, 9090, 8000])
    c = {"name": name, "image": image}
    if rng.random() < 0.5:
        c["imagePullPolicy"] = rng.choice(["IfNotPresent", "Always"])
    if rng.random() < 0.4:
        c["command"] = rng.choice([["/bin/sh", "-c"], ["/app/server"], ["python", "-m", "app"], ["java"]])
        c["args"] = [f"--{rand_words(rng, 1)}={rng.randint(1, 500)}" for _ in range(rng.randint(1, 6))]
    if not init:
        ports = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        if rng.random() < 0.4:
            ports.append({"name": "metrics", "containerPort": 9102, "protocol": "TCP"})
        if "hostPort" in viol and idx == 0:
            ports[0]["hostPort"] = port
        c["ports"] = ports
    env = []
    for _ in range(rng.randint(3, 22)):
        r = rng.random()
        en = rng.choice(ENV_NAMES)
        if r < 0.65:
            env.append({"name": en, "value": rng.choice([str(rng.randint(1, 9999)), "info", "json", "production",
                                                          f"{rand_words(rng)}.svc.cluster.local",
                                                          f"http://{rand_words(rng)}:8080/v1", "true", "false"])})
        elif r < 0.8:
            env.append({"name": rng.choice(SECRET_ENV),
                        "valueFrom": {"secretKeyRef": {"name": P_APP + "-secrets", "key": rand_words(rng, 1)}}})
        elif r < 0.9:
            env.append({"name": en, "valueFrom": {"configMapKeyRef": {"name": P_APP + "-config",
                                                                      "key": rand_words(rng, 1), "optional": True}}})
        else:
            env.append({"name": rng.choice(["POD_NAME", "POD_NAMESPACE", "POD_IP", "NODE_NAME"]),
                        "valueFrom": {"fieldRef": {"fieldPath": rng.choice(["metadata.name", "metadata.namespace",
                                                                           "status.podIP", "spec.nodeName"])}}})
    if rng.random() < 0.08:  # plaintext secret in env
        env.append({"name": rng.choice(SECRET_ENV), "value": b64(rng, 24)})
    c["env"] = env
    if rng.random() < 0.3:
        c["envFrom"] = [{"configMapRef": {"name": P_APP + "-config"}}, {"secretRef": {"name": P_APP + "-env"}}]
    if rng.random() < 0.75:
        res = {"requests": {"cpu": rng.choice(["50m", "100m", "250m", "500m", "1"]),
                            "memory": rng.choice(["64Mi", "128Mi", "256Mi", "512Mi", "1Gi"])}}
        if rng.random() < 0.6:
            res["limits"] = {"memory": rng.choice(["256Mi", "512Mi", "1Gi", "2Gi"])}
            if rng.random() < 0.4:
                res["limits"]["cpu"] = rng.choice(["500m", "1", "2"])
        c["resources"] = res
    if not init and rng.random() < 0.7:
        c["livenessProbe"] = probe(rng, port)
        c["readinessProbe"] = probe(rng, port)
        if rng.random() < 0.2:
            c["startupProbe"] = probe(rng, port)
    mounts = [{"name": "config", "mountPath": "/etc/" + rand_words(rng, 1), "readOnly": True}]
    if rng.random() < 0.5:
        mounts.append({"name": "tmp", "mountPath": "/tmp"})
    if "hostPath" in viol:
        mounts.append({"name": "host", "mountPath": "/host", "readOnly": rng.random() < 0.5})
    if "dockerSock" in viol:
        mounts.append({"name": "docker-sock", "mountPath": "/var/run/docker.sock"})
    c["volumeMounts"] = mounts
    if rng.random() < 0.2:
        c["lifecycle"] = {"preStop": {"exec": {"command": ["sh", "-c", "sleep 10"]}}}
    c["terminationMessagePolicy"] = "FallbackToLogsOnError" if rng.random() < 0.2 else "File"

    sc = {}
    if profile == "restricted" or (profile == "mixed" and idx % 2 == 0):
        sc = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": rng.random() < 0.8,
              "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}}
        if rng.random() < 0.5:
            sc["runAsUser"] = rng.choice([1000, 10001, 65532, 65534])
        if rng.random() < 0.3:
            sc["capabilities"]["add"] = ["NET_BIND_SERVICE"]
        if rng.random() < 0.4:
            sc["seccompProfile"] = {"type": "RuntimeDefault"}
    elif profile == "partial":
        if rng.random() < 0.5:
            sc["allowPrivilegeEscalation"] = False
        if rng.random() < 0.4:
            sc["readOnlyRootFilesystem"] = True
        if rng.random() < 0.3:
            sc["capabilities"] = {"drop": [rng.choice(["ALL", "NET_RAW"])]}
    if idx == 0 or rng.random() < 0.3:
        if "privileged" in viol:
            sc["privileged"] = True
        if "capAdd" in viol:
            sc.setdefault("capabilities", {})["add"] = rng.sample(
                ["SYS_ADMIN", "NET_ADMIN", "NET_RAW", "SYS_PTRACE", "SYS_MODULE", "ALL", "DAC_OVERRIDE"], rng.randint(1, 3))
        if "allowPrivEsc" in viol:
            sc["allowPrivilegeEscalation"] = True
        if "runAsRoot" in viol:
            sc["runAsUser"] = 0
            sc.pop("runAsNonRoot", None)
        if "runAsNonRootFalse" in viol:
            sc["runAsNonRoot"] = False
        if "procMount" in viol:
            sc["procMount"] = "Unmasked"
        if "seLinux" in viol:
            sc["seLinuxOptions"] = {"type": "spc_t", "user": "system_u"}
        if "seccompUnconfined" in viol and rng.random() < 0.5:
            sc["seccompProfile"] = {"type": "Unconfined"}
        if "apparmorUnconfined" in viol and rng.random() < 0.5:
            sc["appArmorProfile"] = {"type": "Unconfined"}
    if sc:
        c["securityContext"] = sc
    return c


def pod_spec(rng, app, restart=None):
    profile = rng.choices(["restricted", "partial", "none", "bad", "mixed"], [25, 25, 20, 18, 12])[0]
    viol = set()
    if profile in ("bad", "mixed") or rng.random() < 0.05:
        viol = set(rng.sample(VIOLATIONS, rng.randint(1, 3)))
    spec = {}
    if rng.random() < 0.6:
        spec["serviceAccountName"] = P_APP
    if rng.random() < 0.3:
        spec["automountServiceAccountToken"] = False
    if restart:
        spec["restartPolicy"] = restart
    psc = {}
    if profile == "restricted":
        psc = {"runAsNonRoot": True, "runAsUser": rng.choice([1000, 10001, 65532]),
               "runAsGroup": rng.choice([1000, 10001, 65532]), "fsGroup": rng.choice([1000, 2000, 65532]),
               "seccompProfile": {"type": "RuntimeDefault"}}
    elif profile in ("partial", "mixed") and rng.random() < 0.6:
        psc = {"fsGroup": 2000}
        if rng.random() < 0.5:
            psc["runAsNonRoot"] = True
        if rng.random() < 0.4:
            psc["seccompProfile"] = {"type": rng.choice(["RuntimeDefault", "Localhost"])}
            if psc["seccompProfile"]["type"] == "Localhost":
                psc["seccompProfile"]["localhostProfile"] = "profiles/audit.json"
    if "seccompUnconfined" in viol:
        psc["seccompProfile"] = {"type": "Unconfined"}
    if "sysctls" in viol:
        psc["sysctls"] = [{"name": rng.choice(["kernel.msgmax", "net.core.somaxconn", "kernel.shm_rmid_forced",
                                                "net.ipv4.ip_unprivileged_port_start", "vm.max_map_count"]),
                           "value": str(rng.randint(1, 65536))}]
    if "runAsRoot" in viol and rng.random() < 0.5:
        psc["runAsUser"] = 0
        psc.pop("runAsNonRoot", None)
    if psc:
        spec["securityContext"] = psc
    for v in ("hostNetwork", "hostPID", "hostIPC"):
        if v in viol:
            spec[v] = True
    if "hostNetwork" in viol:
        spec["dnsPolicy"] = "ClusterFirstWithHostNet"
    if rng.random() < 0.3:
        spec["initContainers"] = [container(rng, 9, profile, set(), "init", init=True)]
    n = rng.choices([1, 2, 3], [65, 28, 7])[0]
    spec["containers"] = [container(rng, i, profile, viol if i == 0 else set(), P_APP) for i in range(n)]
    vols = [{"name": "config", "configMap": {"name": P_APP + "-config", "defaultMode": 420}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]
    if rng.random() < 0.4:
        vols.append({"name": "certs", "secret": {"secretName": P_APP + "-tls"}})
    if rng.random() < 0.2:
        vols.append({"name": "token", "projected": {"sources": [
            {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600, "audience": "vault"}}]}})
    if "hostPath" in viol:
        vols.append({"name": "host", "hostPath": {"path": rng.choice(["/", "/var/log", "/etc", "/var/lib/kubelet",
                                                                      "/proc", "/sys"]),
                                                  "type": "Directory"}})
    if "dockerSock" in viol:
        vols.append({"name": "docker-sock", "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}})
    if "nfsVolume" in viol:
        vols.append({"name": "shared", "nfs": {"server": "10.0.12.4", "path": "/exports/shared"}})
    spec["volumes"] = vols
    if rng.random() < 0.3:
        spec["nodeSelector"] = {"kubernetes.io/os": "linux",
                                "node.kubernetes.io/instance-type": rng.choice(["m5.large", "c6i.xlarge", "n2-standard-4"])}
    if rng.random() < 0.25:
        spec["tolerations"] = [{"key": rng.choice(["dedicated", "workload", "gpu"]), "operator": "Equal",
                                "value": rng.choice(TEAMS), "effect": "NoSchedule"}]
    if rng.random() < 0.35:
        spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {
                "labelSelector": {"matchExpressions": [
                    {"key": "app.kubernetes.io/name", "operator": "In", "values": [P_APP]}]},
                "topologyKey": "kubernetes.io/hostname"}}]}}
    if rng.random() < 0.2:
        spec["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                              "whenUnsatisfiable": "ScheduleAnyway",
                                              "labelSelector": {"matchLabels": {"app.kubernetes.io/name": P_APP}}}]
    if rng.random() < 0.3:
        spec["imagePullSecrets"] = [{"name": "regcred"}]
    if rng.random() < 0.3:
        spec["terminationGracePeriodSeconds"] = rng.choice([10, 30, 60, 120])
    if rng.random() < 0.15:
        spec["priorityClassName"] = rng.choice(["high-priority", "system-cluster-critical"])
    return spec


def std_labels(rng, team):
    labels = {"app.kubernetes.io/name": P_APP, "app.kubernetes.io/instance": P_NAME}
    if rng.random() < 0.7:
        labels.update({"app.kubernetes.io/component": rng.choice(COMPONENTS),
                       "app.kubernetes.io/part-of": team,
                       "app.kubernetes.io/managed-by": rng.choice(["Helm", "kustomize", "argocd"])})
    if rng.random() < 0.4:
        labels["helm.sh/chart"] = f"{team}-{rng.randint(0, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
        labels["app.kubernetes.io/version"] = f"{rng.randint(1, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    return labels


def meta(rng, namespaced=True, annotations=True):
    team = rng.choice(TEAMS)
    m = {"name": P_NAME}
    if namespaced:
        m["namespace"] = P_NS
    m["labels"] = std_labels(rng, team)
    if annotations and rng.random() < 0.5:
        m["annotations"] = {"owner": f"team-{team}@example.com",
                            "description": lorem(rng, rng.randint(5, 20))}
        if rng.random() < 0.3:
            m["annotations"]["argocd.argoproj.io/sync-wave"] = str(rng.randint(-5, 5))
    return m


def add_last_applied(rng, doc):
    if rng.random() < 0.3:
        ann = doc["metadata"].setdefault("annotations", {})
        ann["kubectl.kubernetes.io/last-applied-configuration"] = (
            json.dumps(doc, separators=(",", ":")).replace("\\u0000", MARK) + "\n")
    return doc


def template_meta(rng):
    tm = {"labels": {"app.kubernetes.io/name": P_APP, "app.kubernetes.io/instance": P_NAME}}
    if rng.random() < 0.6:
        tm["annotations"] = {"checksum/config": hashlib.sha256(rng.randbytes(8)).hexdigest()}
        if rng.random() < 0.5:
            tm["annotations"].update({"prometheus.io/scrape": "true", "prometheus.io/port": "9102"})
        if rng.random() < 0.1:
            tm["annotations"]["container.apparmor.security.beta.kubernetes.io/" + P_APP] = "unconfined"
    return tm


def selector():
    return {"matchLabels": {"app.kubernetes.io/name": P_APP, "app.kubernetes.io/instance": P_NAME}}


def k_deployment(rng):
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(rng),
         "spec": {"replicas": rng.choice([1, 2, 3, 3, 5, 10]), "revisionHistoryLimit": rng.choice([3, 10]),
                  "selector": selector(),
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                  "template": {"metadata": template_meta(rng), "spec": pod_spec(rng, P_APP)}}}
    return add_last_applied(rng, d)


def k_statefulset(rng):
    d = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta(rng),
         "spec": {"serviceName": P_NAME, "replicas": rng.choice([1, 3, 5]), "selector": selector(),
                  "podManagementPolicy": rng.choice(["OrderedReady", "Parallel"]),
                  "template": {"metadata": template_meta(rng), "spec": pod_spec(rng, P_APP)},
                  "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                      "accessModes": ["ReadWriteOnce"], "storageClassName": rng.choice(["gp3", "standard", "premium-rwo"]),
                      "resources": {"requests": {"storage": rng.choice(["1Gi", "10Gi", "50Gi", "200Gi"])}}}}]}}
    return add_last_applied(rng, d)


def k_daemonset(rng):
    d = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta(rng),
         "spec": {"selector": selector(),
                  "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                  "template": {"metadata": template_meta(rng), "spec": pod_spec(rng, P_APP)}}}
    return add_last_applied(rng, d)


def job_spec(rng):
    return {"backoffLimit": rng.choice([0, 3, 6]), "activeDeadlineSeconds": rng.choice([600, 3600]),
            "ttlSecondsAfterFinished": 86400,
            "template": {"metadata": template_meta(rng), "spec": pod_spec(rng, P_APP, restart=rng.choice(["Never", "OnFailure"]))}}


def k_job(rng):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(rng), "spec": job_spec(rng)}


def k_cronjob(rng):
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(rng),
            "spec": {"schedule": rng.choice(["*/5 * * * *", "0 * * * *", "0 3 * * *", "30 1 * * 0", "@daily"]),
                     "concurrencyPolicy": rng.choice(["Forbid", "Allow", "Replace"]),
                     "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                     "jobTemplate": {"spec": job_spec(rng)}}}


def k_service(rng):
    t = rng.choices(["ClusterIP", "NodePort", "LoadBalancer", "headless"], [70, 10, 10, 10])[0]
    spec = {"selector": {"app.kubernetes.io/name": P_APP}}
    if t == "headless":
        spec["clusterIP"] = "None"
    else:
        spec["type"] = t
    ports = [{"name": "http", "port": rng.choice([80, 8080, 443]), "targetPort": "http", "protocol": "TCP"}]
    if rng.random() < 0.4:
        ports.append({"name": "grpc", "port": 9090, "targetPort": 9090, "protocol": "TCP"})
    if t == "NodePort":
        ports[0]["nodePort"] = rng.randint(30000, 32767)
    spec["ports"] = ports
    m = meta(rng)
    if t == "LoadBalancer" and rng.random() < 0.6:
        m.setdefault("annotations", {})["service.beta.kubernetes.io/aws-load-balancer-scheme"] = rng.choice(
            ["internet-facing", "internal"])
        if rng.random() < 0.5:
            spec["loadBalancerSourceRanges"] = ["10.0.0.0/8", "192.168.0.0/16"]
    return {"apiVersion": "v1", "kind": "Service", "metadata": m, "spec": spec}


# Blob pools (filled in build_pools): large config payloads reused across docs.
BLOBS = []
SCHEMAS = []


def dashboard_json(rng, target):
    panels, i = [], 0
    while len(json.dumps(panels)) < target:
        i += 1
        panels.append({"id": i, "type": rng.choice(["timeseries", "stat", "gauge", "table", "heatmap"]),
                       "title": lorem(rng, 4), "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": i * 8},
                       "datasource": {"type": "prometheus", "uid": "prom"},
                       "targets": [{"expr": f'sum(rate(http_requests_total{{job="{rand_words(rng)}",code=~"5.."}}[5m])) by (pod)',
                                    "legendFormat": "{{pod}}", "refId": "A"}],
                       "fieldConfig": {"defaults": {"unit": rng.choice(["reqps", "s", "bytes", "percent"]),
                                                    "thresholds": {"mode": "absolute", "steps": [
                                                        {"color": "green", "value": None}, {"color": "red", "value": 80}]}},
                                       "overrides": []},
                       "options": {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}}})
    return json.dumps({"title": lorem(rng, 3), "uid": rng.randbytes(5).hex(), "schemaVersion": 39,
                       "panels": panels, "time": {"from": "now-6h", "to": "now"}}, indent=2) + "\n"


def prom_rules(rng, target):
    out = ["groups:"]
    size = 0
    while size < target:
        g = [f"  - name: {rand_words(rng)}.rules", "    rules:"]
        for _ in range(rng.randint(3, 10)):
            g += [f"      - alert: {rand_words(rng).title().replace('-', '')}",
                  f"        expr: histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{{service=\"{rand_words(rng)}\"}}[5m])) by (le)) > {rng.randint(1, 5)}",
                  f"        for: {rng.choice(['5m', '10m', '15m'])}",
                  "        labels:", f"          severity: {rng.choice(['warning', 'critical'])}",
                  "        annotations:", f"          summary: {lorem(rng, 8)}"]
        out += g
        size += sum(len(x) + 1 for x in g)
    return "\n".join(out) + "\n"


def nginx_conf(rng, target):
    out = ["worker_processes auto;", "events { worker_connections 1024; }", "http {"]
    size = 0
    while size < target:
        s = [f"  upstream {rand_words(rng).replace('-', '_')} {{", f"    server {rand_words(rng)}.svc:8080;", "  }",
             "  server {", f"    listen {rng.choice([80, 8080])};", f"    server_name {rand_words(rng)}.example.com;",
             "    location / {", f"      proxy_pass http://{rand_words(rng)}:8080;",
             "      proxy_set_header Host $host;", "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
             "    }", "  }"]
        out += s
        size += sum(len(x) + 1 for x in s)
    return "\n".join(out + ["}"]) + "\n"


def k_configmap(rng):
    data = {}
    big = rng.random() < 0.2
    if big:
        key, blob = rng.choice(BLOBS)
        data[key] = blob
    for _ in range(rng.randint(2, 12)):
        data[rng.choice(ENV_NAMES)] = rng.choice(["info", "8080", "true", "us-east-1", f"{rand_words(rng)}:9092",
                                                  lorem(rng, rng.randint(2, 10))])
    if not big and rng.random() < 0.4:
        data["application.yaml"] = "\n".join(
            f"{rand_words(rng, 1)}:\n  enabled: {rng.choice(['true', 'false'])}\n  timeout: {rng.randint(1, 60)}s"
            for _ in range(rng.randint(3, 25))) + "\n"
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(rng), "data": data}


def pem(rng, n):
    raw = base64.b64encode(rng.randbytes(n)).decode()
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(raw[i:i + 64] for i in range(0, len(raw), 64)) + \
        "\n-----END CERTIFICATE-----\n"


def k_secret(rng):
    t = rng.choices(["Opaque", "tls", "docker", "string"], [55, 20, 10, 15])[0]
    d = {"apiVersion": "v1", "kind": "Secret", "metadata": meta(rng, annotations=False)}
    if t == "Opaque":
        d["type"] = "Opaque"
        d["data"] = {rand_words(rng, 1): b64(rng, rng.choice([12, 24, 32, 48])) for _ in range(rng.randint(1, 8))}
    elif t == "tls":
        d["type"] = "kubernetes.io/tls"
        d["data"] = {"tls.crt": base64.b64encode(pem(rng, 1200).encode()).decode(),
                     "tls.key": base64.b64encode(pem(rng, 1190).encode()).decode()}
    elif t == "docker":
        d["type"] = "kubernetes.io/dockerconfigjson"
        cfg = {"auths": {"ghcr.io": {"auth": b64(rng, 30)}}}
        d["data"] = {".dockerconfigjson": base64.b64encode(json.dumps(cfg).encode()).decode()}
    else:
        d["type"] = "Opaque"
        d["stringData"] = {"username": "app", "password": b64(rng, 18),
                           "DATABASE_URL": f"postgres://app:{rng.randbytes(8).hex()}@db:5432/app"}
    return d


def k_serviceaccount(rng):
    d = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(rng)}
    if rng.random() < 0.4:
        d["automountServiceAccountToken"] = rng.random() < 0.3
    if rng.random() < 0.3:
        d["metadata"].setdefault("annotations", {})["eks.amazonaws.com/role-arn"] = \
            f"arn:aws:iam::123456789012:role/{rand_words(rng)}"
    if rng.random() < 0.2:
        d["imagePullSecrets"] = [{"name": "regcred"}]
    return d


def rules(rng, cluster):
    out = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.08:
            out.append({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]})
        elif r < 0.18:
            out.append({"apiGroups": [""], "resources": ["secrets"], "verbs": rng.choice([["*"], ["get", "list", "watch"]])})
        elif r < 0.24:
            out.append({"apiGroups": [""], "resources": ["pods/exec", "pods/attach"], "verbs": ["create", "get"]})
        elif r < 0.28:
            out.append({"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles", "roles"],
                        "verbs": rng.choice([["escalate", "bind"], ["create", "update", "patch"]])})
        elif r < 0.31:
            out.append({"apiGroups": [""], "resources": ["users", "groups", "serviceaccounts"], "verbs": ["impersonate"]})
        elif r < 0.34 and cluster:
            out.append({"nonResourceURLs": ["/metrics", "/healthz"], "verbs": ["get"]})
        else:
            out.append({"apiGroups": rng.choice([[""], ["apps"], ["batch"], ["networking.k8s.io"], ["coordination.k8s.io"]]),
                        "resources": rng.sample(RESOURCES, rng.randint(1, 4)),
                        "verbs": rng.sample(["get", "list", "watch", "create", "update", "patch", "delete"], rng.randint(1, 4))})
    return out


def k_role(rng):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(rng), "rules": rules(rng, False)}


def k_clusterrole(rng):
    d = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": meta(rng, namespaced=False), "rules": rules(rng, True)}
    if rng.random() < 0.1:
        d["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-admin": "true"}}]}
    return d


def subjects(rng):
    s = []
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.75:
            s.append({"kind": "ServiceAccount", "name": rng.choice([P_APP, "default"]), "namespace": P_NS})
        elif r < 0.9:
            s.append({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io",
                      "name": rng.choice([f"team-{rng.choice(TEAMS)}", "system:authenticated", "system:serviceaccounts"])})
        else:
            s.append({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": f"{rand_words(rng, 1)}@example.com"})
    return s


def k_rolebinding(rng):
    ref = rng.choice([("Role", P_APP), ("ClusterRole", rng.choice(["view", "edit", "admin"]))])
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(rng),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": ref[0], "name": ref[1]},
            "subjects": subjects(rng)}


def k_clusterrolebinding(rng):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": meta(rng, namespaced=False),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                        "name": rng.choice([P_APP, "cluster-admin", "view", "edit"])},
            "subjects": subjects(rng)}


def k_networkpolicy(rng):
    r = rng.random()
    if r < 0.3:
        spec = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    else:
        spec = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": P_APP}}, "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": rand_words(rng, 1)}}},
                                      {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": rng.choice(NAMESPACES)}}}],
                             "ports": [{"protocol": "TCP", "port": rng.choice([80, 8080, 9090])}]}]}
        if rng.random() < 0.5:
            spec["policyTypes"].append("Egress")
            spec["egress"] = [{"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                               "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]
            if rng.random() < 0.3:
                spec["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}]})
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(rng), "spec": spec}


def k_ingress(rng):
    host = f"{rand_words(rng)}.example.com"
    m = meta(rng)
    ann = m.setdefault("annotations", {})
    ann["cert-manager.io/cluster-issuer"] = "letsencrypt-prod"
    if rng.random() < 0.5:
        ann["nginx.ingress.kubernetes.io/proxy-body-size"] = "16m"
    if rng.random() < 0.05:
        ann["nginx.ingress.kubernetes.io/server-snippet"] = "location /admin { allow all; }"
    paths = [{"path": p, "pathType": "Prefix", "backend": {"service": {"name": P_NAME, "port": {"name": "http"}}}}
             for p in rng.sample(["/", "/api", "/v1", "/static", "/graphql", "/ws"], rng.randint(1, 4))]
    spec = {"ingressClassName": rng.choice(["nginx", "alb", "traefik"]),
            "rules": [{"host": host, "http": {"paths": paths}}]}
    if rng.random() < 0.7:
        spec["tls"] = [{"hosts": [host], "secretName": P_NAME + "-tls"}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": m, "spec": spec}


def k_namespace(rng):
    labels = {"kubernetes.io/metadata.name": P_NAME}
    r = rng.random()
    if r < 0.7:
        for mode in rng.sample(["enforce", "audit", "warn"], rng.randint(1, 3)):
            labels[f"pod-security.kubernetes.io/{mode}"] = rng.choice(["privileged", "baseline", "restricted"])
            if rng.random() < 0.6:
                labels[f"pod-security.kubernetes.io/{mode}-version"] = rng.choice(["latest", "v1.28", "v1.29", "v1.30"])
    labels["team"] = rng.choice(TEAMS)
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": P_NAME, "labels": labels}}


def k_hpa(rng):
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta(rng),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": P_NAME},
                     "minReplicas": rng.choice([1, 2, 3]), "maxReplicas": rng.choice([5, 10, 20]),
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": rng.choice([60, 70, 80])}}}]}}


def k_pdb(rng):
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(rng),
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": P_APP}}}}


def schema(rng, depth, budget):
    """Random openAPIV3Schema-like object of roughly `budget` bytes."""
    props = {}
    used = 0
    while used < budget:
        name = rand_words(rng, 1) + rng.choice(["", "Ref", "Spec", "Config", "Policy", "Name", "Count"])
        desc = lorem(rng, rng.randint(8, 40))
        r = rng.random()
        if depth < 4 and r < 0.25:
            sub_budget = min(budget - used, rng.randint(800, max(900, budget // 3)))
            props[name] = {"description": desc, "type": "object", **schema(rng, depth + 1, sub_budget)}
            used += sub_budget
        elif depth < 4 and r < 0.35:
            sub_budget = min(budget - used, rng.randint(500, 3000))
            props[name] = {"description": desc, "type": "array",
                           "items": {"type": "object", **schema(rng, depth + 1, sub_budget)}}
            used += sub_budget
        else:
            t = rng.choice(["string", "string", "integer", "boolean", "enum", "intorstr"])
            if t == "enum":
                props[name] = {"description": desc, "type": "string",
                               "enum": [rand_words(rng, 1).title() for _ in range(rng.randint(2, 5))]}
            elif t == "intorstr":
                props[name] = {"anyOf": [{"type": "integer"}, {"type": "string"}], "description": desc,
                               "x-kubernetes-int-or-string": True}
            elif t == "integer":
                props[name] = {"description": desc, "type": "integer", "format": "int32", "minimum": 0}
            else:
                props[name] = {"description": desc, "type": t}
            used += len(desc) + 60
    out = {"properties": props}
    if rng.random() < 0.3 and props:
        out["required"] = rng.sample(sorted(props), min(len(props), rng.randint(1, 3)))
    return out


def k_crd(rng):
    group = f"{rand_words(rng, 1)}.{rng.choice(['example.com', 'acme.io', 'k8s.example.org', 'cloud.dev'])}"
    sch = rng.choice(SCHEMAS)
    version = {"name": "v1", "served": True, "storage": True,
               "schema": {"openAPIV3Schema": {"description": lorem(rng, 12), "type": "object", "properties": {
                   "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                   "spec": {"type": "object", **sch},
                   "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}},
               "subresources": {"status": {}},
               "additionalPrinterColumns": [{"name": "Ready", "type": "string",
                                             "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                                            {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]}
    versions = [version]
    if rng.random() < 0.3:
        versions.append({"name": "v1beta1", "served": True, "storage": False,
                         "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}})
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": P_NAME + "s." + group,
                         "annotations": {"controller-gen.kubebuilder.io/version": "v0.15.0"}},
            "spec": {"group": group, "names": {"kind": P_APP, "listKind": P_APP + "List", "plural": P_NAME + "s",
                                               "singular": P_NAME},
                     "scope": rng.choice(["Namespaced", "Cluster"]), "versions": versions}}


# kind, builder, weight (percent of docs), number of template variants, namespaced
KINDS = [
    ("Deployment", k_deployment, 17, 400, True),
    ("StatefulSet", k_statefulset, 4, 120, True),
    ("DaemonSet", k_daemonset, 2, 80, True),
    ("Job", k_job, 3, 80, True),
    ("CronJob", k_cronjob, 3, 80, True),
    ("Service", k_service, 15, 120, True),
    ("ConfigMap", k_configmap, 12, 300, True),
    ("Secret", k_secret, 8, 120, True),
    ("ServiceAccount", k_serviceaccount, 8, 40, True),
    ("Role", k_role, 4, 60, True),
    ("RoleBinding", k_rolebinding, 4, 40, True),
    ("ClusterRole", k_clusterrole, 2, 40, False),
    ("ClusterRoleBinding", k_clusterrolebinding, 2, 30, False),
    ("NetworkPolicy", k_networkpolicy, 5, 40, True),
    ("Ingress", k_ingress, 4, 40, True),
    ("Namespace", k_namespace, 2, 30, False),
    ("HorizontalPodAutoscaler", k_hpa, 2, 10, True),
    ("PodDisruptionBudget", k_pdb, 1, 4, True),
    ("CustomResourceDefinition", k_crd, 2, 40, False),
]


def build_pools(seed):
    rng = random.Random(f"{seed}/pools")
    for i in range(24):
        kind = i % 3
        target = rng.choice([15_000, 30_000, 60_000, 120_000])
        if kind == 0:
            BLOBS.append((f"{rand_words(rng)}-dashboard.json", dashboard_json(rng, target)))
        elif kind == 1:
            BLOBS.append(("alerting-rules.yaml", prom_rules(rng, target)))
        else:
            BLOBS.append(("nginx.conf", nginx_conf(rng, target // 2)))
    for _ in range(16):
        SCHEMAS.append(schema(rng, 0, rng.choice([8_000, 15_000, 25_000, 35_000])))


def build_templates(seed):
    """Returns (kinds table of 1000 entries, {kind: [(yaml Template, builder seed)]})."""
    build_pools(seed)
    table, templates = [], {}
    for kind, fn, weight, variants, namespaced in KINDS:
        table += [kind] * (weight * 10)
        tl = []
        for v in range(variants):
            rng = random.Random(f"{seed}/{kind}/{v}")
            tl.append((Template(to_yaml(fn(rng))), namespaced, f"{seed}/{kind}/{v}"))
        templates[kind] = tl
    return table, templates


def concrete(obj, vals):
    """Replace placeholders in a built object (used for JSON output)."""
    if isinstance(obj, dict):
        return {concrete(k, vals): concrete(v, vals) for k, v in obj.items()}
    if isinstance(obj, list):
        return [concrete(v, vals) for v in obj]
    if isinstance(obj, str) and MARK in obj:
        parts = obj.split(MARK)
        for i in range(1, len(parts), 2):
            parts[i] = vals[parts[i]]
        return "".join(parts)
    return obj


def indent_as_item(text):
    lines = text.rstrip("\n").split("\n")
    return "\n".join(["  - " + lines[0]] + [("    " + ln) if ln else "" for ln in lines[1:]]) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, required=True, help="number of Kubernetes documents to generate")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--docs-per-file", type=int, default=50)
    ap.add_argument("--files-per-dir", type=int, default=100)
    ap.add_argument("--force", action="store_true",
                    help=f"replace an existing corpus in --out (only if it contains {INFO_FILE})")
    args = ap.parse_args()

    t0 = time.monotonic()
    out = args.out
    if os.path.isdir(out) and os.listdir(out):
        if args.force and os.path.exists(os.path.join(out, INFO_FILE)):
            shutil.rmtree(out)
        else:
            sys.exit(f"error: {out} exists and is not empty (use --force to replace a generated corpus)")
    os.makedirs(out, exist_ok=True)

    table, templates = build_templates(args.seed)
    ntable = len(table)
    rng = random.Random(args.seed)
    rand, choice = rng.random, rng.choice

    total_docs = total_bytes = nfiles = 0
    file_idx = 0
    kinds_count = {}
    sample_ns = NAMESPACES
    while total_docs < args.docs:
        n = min(args.docs - total_docs, rng.randint(args.docs_per_file * 4 // 5, args.docs_per_file * 6 // 5))
        part, cluster = file_idx // args.files_per_dir, file_idx // (args.files_per_dir * 10)
        d = os.path.join(out, f"cluster-{cluster:02d}", f"part-{part:03d}")
        if file_idx % args.files_per_dir == 0:
            os.makedirs(d, exist_ok=True)
        # Roughly 1 file in 150 is JSON, 1 in 150 a YAML `kind: List`; the rest multi-doc YAML.
        style = "yaml"
        r = rand()
        if file_idx % 150 == 7 or r < 0.004:
            style = "json"
        elif file_idx % 150 == 17 or r < 0.008:
            style = "list"
        chart = choice(WORDS)
        chunks = []
        json_items = []
        for j in range(n):
            kind = table[int(rand() * ntable)]
            tmpl, namespaced, bseed = choice(templates[kind])
            app = f"{choice(WORDS)}-{choice(COMPONENTS)}"
            vals = {"app": app, "name": f"{app}-{(total_docs + j) * 2654435761 % 0xFFFFF:05x}",
                    "ns": choice(sample_ns)}
            kinds_count[kind] = kinds_count.get(kind, 0) + 1
            if style == "json":
                json_items.append(concrete(KIND_FN[kind](random.Random(bseed)), vals))
            elif style == "list":
                chunks.append(indent_as_item(tmpl.render(vals)))
            else:
                if j and rand() < 0.3:
                    chunks.append(f"---\n# Source: {chart}/templates/{kind.lower()}.yaml\n")
                else:
                    chunks.append("---\n")
                chunks.append(tmpl.render(vals))
        if style == "json":
            path = os.path.join(d, f"export-{file_idx:04d}.json")
            obj = json_items[0] if len(json_items) == 1 else {"apiVersion": "v1", "kind": "List", "items": json_items}
            text = json.dumps(obj, indent=2) + "\n"
        elif style == "list":
            path = os.path.join(d, f"list-{file_idx:04d}.yaml")
            text = "apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n" + "".join(chunks)
        else:
            path = os.path.join(d, f"manifests-{file_idx:04d}.yaml")
            if rand() < 0.05:
                chunks.append("---\n")  # trailing separator / empty document, as helm emits
            text = "".join(chunks)
            if text.startswith("---\n") and rand() < 0.5:
                text = text[4:]
        data = text.encode()
        with open(path, "wb", buffering=1 << 20) as f:
            f.write(data)
        total_docs += n
        total_bytes += len(data)
        nfiles += 1
        file_idx += 1

    elapsed = time.monotonic() - t0
    with open(os.path.join(out, INFO_FILE), "w") as f:
        f.write(f"docs={total_docs}\nbytes={total_bytes}\nfiles={nfiles}\nseed={args.seed}\n")
        for k in sorted(kinds_count):
            f.write(f"kind.{k}={kinds_count[k]}\n")
    print(f"generated {total_docs} docs, {total_bytes} bytes ({total_bytes / 1e6:.1f} MB) "
          f"in {nfiles} files under {out} in {elapsed:.1f}s")


KIND_FN = {k: fn for k, fn, *_ in KINDS}

if __name__ == "__main__":
    main()
