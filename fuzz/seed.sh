#!/usr/bin/env bash
# Fills fuzz/corpus/TARGET with seeds taken from the repository's own inputs (sample graphs,
# manifests, account exports, OpenGraph documents, policies), so that nothing is copied twice.
set -euo pipefail
cd "$(dirname "$0")/.."
c=fuzz/corpus
mkdir -p "$c"/{load,analyze,policy,import_k8s,import_aws,import_opengraph,mapping,estate,eks,identity_center}
for g in graphs/*.json; do
  cp "$g" "$c/load/"; cp "$g" "$c/analyze/"
done
cp fuzz/seeds/policy/*.toml "$c/policy/"
cp graphs/k8s/platform/*.yaml graphs/k8s/platform/*.json tests/data/real/kube-state-metrics/*.yaml "$c/import_k8s/"
cp graphs/aws/saas-partners/authz-details.json "$c/import_aws/sample.json"
{ cat graphs/aws/saas-partners/authz-details.json; printf '\xff'; cat graphs/aws/saas-partners/credential-report.csv; } > "$c/import_aws/sample-with-report"
cp tests/data/real/aws-iam/example-authz-details.json "$c/import_aws/real.json"
cp tests/data/real/bloodhound-opengraph/opengraph-minimal.json "$c/import_opengraph/"
cp graphs/opengraph/*.toml fuzz/seeds/mapping/*.toml "$c/mapping/"
cp graphs/estate/estate.toml fuzz/seeds/estate/*.toml "$c/estate/"
cp graphs/estate/prod/eks/payments/*.json fuzz/seeds/eks/*.json "$c/eks/"
cp fuzz/seeds/identity_center/*.json "$c/identity_center/"
bin=target/release/authpath
[ -x "$bin" ] || cargo build --release --quiet
for g in graphs/ci-secrets.json graphs/msp-delegated-admin.json; do
  "$bin" -q export opengraph "$g" --findings -o "$c/import_opengraph/$(basename "$g")"
done
echo "seeded $(find "$c" -type f | wc -l) inputs under $c"
