# shellcheck shell=bash disable=SC2154 # the variables come from stage.sh
# tools/e2e/argocd/promotion.sh - promotion through Git with REAL Argo CD. Sourced by stage.sh after
# the GitOps loop, before the teardown: uses its servers, work copy, Git tree and helpers (say,
# fail, begin/end, gitc, push, head_rev, refresh, wait_until, deploy_json, deploy_is,
# assert_synced, kubectl, ts, run).
#
# The environment is switched to its own promotion ref (refs/heads/env/<env>), configured like
# staging and prod are, and then:
#   p1. `npm run promote` without the ref refuses with the --init hint; `--init` creates it at main;
#   p2. the Applications follow the ref (the configuration change Terraform applies once);
#   p3. a commit to main changes nothing while the ref stays: Argo CD reconciled after the push and
#       the workloads are unchanged — the commit holds more memory in a value file and, as a user
#       changes them, one more Ollama model in environments/<env>.ts and another label in the
#       catalog's librechat.yaml (their generated value files from `npm run values`);
#   p4. `npm run promote -- <env> --dry-run` lists the commit and the render diff, moves nothing;
#       `npm run promote -- <env>` moves the ref and Argo CD applies the commit: memory, models and
#       librechat.yaml live, with no terraform apply;
#   p5. `npm run status` shows the ref's commit as the live revision of every Application, and the
#       promotion record;
#   p6. `npm run promote -- <env> --rollback-to <commit> --reason …` returns the workloads; a plain
#       promote is then refused while the hold stands, until --release-hold.

ENV_REF=refs/heads/env/$ENV_NAME
promotion_overrides=$T/overrides-promotion.json

# promote_cmd <args...>: `npm run promote` in the work copy, against the loopback repository.
promote_cmd() {
  (cd "$work" && unset GITOPS_REVISION && GIT_SSL_CAINFO=$T/tls.crt PLATFORM_OVERRIDES_FILE=$promotion_overrides RENDER_HELM=$E2E_HELM_BIN \
    npm run --silent promote -- "$@" --repo "$git_tree" --charts-dir "$here/charts")
}
status_cmd() {
  (cd "$work" && unset GITOPS_REVISION && GIT_SSL_CAINFO=$T/tls.crt PLATFORM_OVERRIDES_FILE=$promotion_overrides KUBECTL=$E2E_KUBECTL_BIN \
    npm run --silent status -- "$@" --repo "$git_tree")
}
remote_ref() { GIT_SSL_CAINFO="$T/tls.crt" git -C "$git_tree" ls-remote origin "$1" | cut -f1; }
app_revision() { kubectl -n "$ARGOCD_NS" get applications.argoproj.io "$LOOP_APP" -o jsonpath='{.status.sync.revision}'; }
compared_to_ref() { [ "$(kubectl -n "$ARGOCD_NS" get applications.argoproj.io "$LOOP_APP" -o jsonpath='{.status.sync.comparedTo.source.targetRevision}')" = "$ENV_REF" ]; }
reconciled_since() { [[ "$(kubectl -n "$ARGOCD_NS" get applications.argoproj.io "$LOOP_APP" -o jsonpath='{.status.reconciledAt}')" > "$1" ]]; }

begin "p1. a missing promotion ref is refused with the --init hint; --init creates it at main"
# origin reads over HTTPS like Argo CD does (trusting the throw-away CA); pushes go to the same bare
# repository on disk (the loopback server is read-only).
gitc remote add origin "$git_url"
gitc config remote.origin.pushurl "$T/git/gitops.git"
# The identity the promotion records carry (annotated tags).
gitc config user.name e2e-promoter
gitc config user.email e2e-promoter@example.invalid
ts "$here/work-copy.ts" overrides "$promotion_overrides" "$ENV_NAME" "$git_url" "$ENV_REF" "$PLATFORM_OVERRIDES_FILE"
set +e
refusal=$(promote_cmd "$ENV_NAME" 2>&1)
status=$?
set -e
[ "$status" = 1 ] || fail "npm run promote without $ENV_REF exited $status, expected 1: $refusal"
grep -qF "$ENV_REF does not exist in origin: Argo CD cannot sync $ENV_NAME until it does; create it once with: npm run promote -- $ENV_NAME --init" <<<"$refusal" ||
  fail "no clear missing-ref message: $refusal"
say "   ok  refused: ${refusal#promote: }"
promote_cmd "$ENV_NAME" --init --no-render | sed 's/^/e2e:      /'
promoted_rev=$(head_rev)
[ "$(remote_ref "$ENV_REF")" = "$promoted_rev" ] || fail "--init did not create $ENV_REF at main (${promoted_rev:0:12})"
say "   ok  $ENV_REF created at main ${promoted_rev:0:12}"
end promotion_init

begin "p2. the Applications follow $ENV_REF (the configuration change Terraform applies once)"
if [ "$MODE" = kubectl ]; then
  (cd "$work" && unset GITOPS_REVISION && PLATFORM_OVERRIDES_FILE=$promotion_overrides CDKTF_OUTDIR="$work/cdktf.out" node tools/run-ts.js main.ts) >"$T/logs/synth-promotion.log" 2>&1 ||
    { cat "$T/logs/synth-promotion.log"; fail "synth with $ENV_NAME following $ENV_REF"; }
  ts "$here/synth-objects.ts" print "$work/cdktf.out" "$ENV_NAME-" |
    node -e 'const { objects } = JSON.parse(require("fs").readFileSync(0, "utf8")); process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", items: objects.map((o) => o.object).filter((o) => o.kind === "Application") }))' |
    kubectl apply --server-side --force-conflicts --field-manager e2e-promotion -f - >/dev/null
  say "   applied the synthesized Applications (targetRevision $ENV_REF) with kubectl"
else
  (cd "$work" && unset GITOPS_REVISION && PLATFORM_OVERRIDES_FILE=$promotion_overrides run bash -c "$E2E_ARGOCD_DEPLOY") >"$T/logs/deploy-promotion.log" 2>&1 ||
    { cat "$T/logs/deploy-promotion.log"; fail "deploy with $ENV_NAME following $ENV_REF"; }
  grep '^e2e:' "$T/logs/deploy-promotion.log" || true
  say "   deployed by: $E2E_ARGOCD_DEPLOY (targetRevision $ENV_REF)"
fi
[ "$(kubectl -n "$ARGOCD_NS" get applications.argoproj.io "$LOOP_APP" -o jsonpath='{.spec.source.targetRevision}')" = "$ENV_REF" ] ||
  fail "Application $LOOP_APP does not track $ENV_REF"
refresh
# The commit is the same as before: what proves the switch is what Argo CD compared against.
wait_until "$TIMEOUT" "Argo CD compares $LOOP_APP against $ENV_REF" compared_to_ref
assert_synced "$promoted_rev" || fail "sync at $ENV_REF"
say "   ok  every Application Synced at ${promoted_rev:0:12} through $ENV_REF"
end promotion_track

models_jsonpath='{.spec.template.spec.containers[0].env[?(@.name=="E2E_MODELS_PULL")].value}'
librechat_config() { kubectl -n librechat get configmap librechat-librechat-config -o jsonpath='{.data.librechat\.yaml}'; }
has_label() { librechat_config | grep -qF "modelDisplayLabel: $1"; }
lacks_label() { ! has_label "$1"; }
new_model=e2e-promoted:1b
new_label='Ollama (e2e promoted)'

begin "p3. a commit to main does not reach $ENV_NAME while $ENV_REF stays"
before_memory=$(deploy_json "$memory_jsonpath")
before_models=$(deploy_json "$models_jsonpath")
[ -n "$before_models" ] || fail "Deployment $LOOP_APP has no E2E_MODELS_PULL"
has_label Ollama || fail "LibreChat's librechat.yaml has no endpoint label Ollama: $(librechat_config)"
new_memory=6Gi
[ "$before_memory" != "$new_memory" ] || new_memory=7Gi
ts "$here/work-copy.ts" set "$git_tree/$LOOP_VALUES" "$memory_path" "$new_memory"
# The user's change on main: the environment file and the catalog, then their generated values.
ts "$here/work-copy.ts" configure "$work" "$ENV_NAME" "$new_model" "$new_label"
(cd "$work" && npm run --silent values) | sed 's/^/e2e:      /'
for generated in "$work"/apps/*/generated; do cp "$generated"/*.yaml "$git_tree/apps/$(basename "$(dirname "$generated")")/generated/"; done
gitc add -A
[ -n "$(gitc status --porcelain -- 'apps/*/generated')" ] || fail "npm run values changed no generated value file"
gitc commit -q -m "e2e: $LOOP_APP requests $new_memory of memory, pulls $new_model; LibreChat labels it $new_label (to be promoted)" && push
# reconciledAt has one-second resolution: a later second is certainly after the push.
pushed_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
main_rev=$(head_rev)
refresh
wait_until "$TIMEOUT" "Argo CD reconciles $LOOP_APP after the push to main" reconciled_since "$pushed_at"
assert_synced "$promoted_rev" || fail "$ENV_NAME left ${promoted_rev:0:12} when main moved"
[ "$(deploy_json "$memory_jsonpath")" = "$before_memory" ] || fail "main's commit reached $ENV_NAME without a promotion"
[ "$(deploy_json "$models_jsonpath")" = "$before_models" ] || fail "main's models reached $ENV_NAME without a promotion"
lacks_label "$new_label" || fail "main's librechat.yaml reached $ENV_NAME without a promotion"
say "   ok  main at ${main_rev:0:12}; Argo CD reconciled and $ENV_NAME stays at ${promoted_rev:0:12} (memory $before_memory, models $before_models, label Ollama)"
end promotion_main

begin "p4. npm run promote: the dry run shows the commit and the render diff; then the ref moves and Argo CD applies it"
preview=$(promote_cmd "$ENV_NAME" --dry-run)
printf '%s\n' "$preview" | sed 's/^/e2e:      /'
grep -qF "${main_rev:0:7} e2e: $LOOP_APP requests $new_memory" <<<"$preview" || fail "the dry run does not list the promoted commit"
grep -qE "^\+ +memory: $new_memory$" <<<"$preview" || fail "the dry run's render diff does not show memory $new_memory"
grep -qF "dry run: $ENV_REF not moved" <<<"$preview" || fail "the dry run does not say it moved nothing"
[ "$(remote_ref "$ENV_REF")" = "$promoted_rev" ] || fail "the dry run moved $ENV_REF"
grep -qE "^\+ +value: \"?[^\"]*$new_model" <<<"$preview" || fail "the dry run's render diff does not show the model $new_model"
grep -qF "$new_label" <<<"$preview" || fail "the dry run's render diff does not show the label $new_label"
promote_cmd "$ENV_NAME" --no-render --reason "e2e: promote the new model" | sed 's/^/e2e:      /'
[ "$(remote_ref "$ENV_REF")" = "$main_rev" ] || fail "npm run promote did not move $ENV_REF to ${main_rev:0:12}"
refresh
wait_until "$TIMEOUT" "Deployment $LOOP_APP requests $new_memory after the promotion" deploy_is "$memory_jsonpath" "$new_memory"
wait_until "$TIMEOUT" "Deployment $LOOP_APP pulls $new_model" deploy_is "$models_jsonpath" "$new_model,$before_models"
wait_until "$TIMEOUT" "LibreChat's librechat.yaml labels the endpoint $new_label" has_label "$new_label"
assert_synced "$main_rev" || fail "sync of the promoted commit"
say "   ok  $ENV_REF ${promoted_rev:0:12} -> ${main_rev:0:12}; memory $before_memory -> $new_memory, models -> $new_model,$before_models, label -> $new_label; no terraform apply"
end promotion_promote

begin "p5. npm run status shows the live revision"
status_out=$(status_cmd --env "$ENV_NAME" --context "$ENV_NAME=$(kubectl config current-context)") || { printf '%s\n' "$status_out"; fail "npm run status exited non-zero (drift?)"; }
printf '%s\n' "$status_out" | sed 's/^/e2e:      /'
grep -qF "$ENV_NAME: $ENV_REF at ${main_rev:0:12}" <<<"$status_out" || fail "status does not show $ENV_REF at ${main_rev:0:12}"
grep -qE "^  live $LOOP_APP: Synced/[A-Za-z]+ at ${main_rev:0:12}$" <<<"$status_out" || fail "status does not show $LOOP_APP live at ${main_rev:0:12}"
if grep -q DRIFT <<<"$status_out"; then fail "status flags drift after a completed sync"; fi
grep -qE "^  record .* promote ${promoted_rev:0:12} -> ${main_rev:0:12} by .*: e2e: promote the new model$" <<<"$status_out" || fail "status does not show the promotion record"
[ "$(gitc for-each-ref --count=1 --sort=-refname --format='%(*objectname)' "refs/tags/promotions/$ENV_NAME/")" = "$main_rev" ] ||
  fail "plain git does not show the promotion record (refs/tags/promotions/$ENV_NAME/*) at ${main_rev:0:12}"
say "   ok  status: $ENV_REF at ${main_rev:0:12}, every Application live at it, no drift; the record names who, from, to and why"
end promotion_status

begin "p6. npm run promote -- $ENV_NAME --rollback-to ${promoted_rev:0:12} returns the workloads and holds $ENV_NAME"
promote_cmd "$ENV_NAME" --rollback-to "$promoted_rev" --reason "e2e: the new model misbehaves" --no-render | sed 's/^/e2e:      /'
[ "$(remote_ref "$ENV_REF")" = "$promoted_rev" ] || fail "--rollback-to did not move $ENV_REF back"
refresh
wait_until "$TIMEOUT" "Deployment $LOOP_APP back to $before_memory" deploy_is "$memory_jsonpath" "$before_memory"
wait_until "$TIMEOUT" "Deployment $LOOP_APP back to models $before_models" deploy_is "$models_jsonpath" "$before_models"
wait_until "$TIMEOUT" "LibreChat's librechat.yaml back to the label Ollama" lacks_label "$new_label"
assert_synced "$promoted_rev" || fail "sync of the rollback"
[ "$(app_revision)" = "$promoted_rev" ] || fail "live revision is not ${promoted_rev:0:12}"
status_out=$(status_cmd --env "$ENV_NAME" --context "$ENV_NAME=$(kubectl config current-context)") || { printf '%s\n' "$status_out"; fail "npm run status after the rollback"; }
grep -qE "^  live $LOOP_APP: Synced/[A-Za-z]+ at ${promoted_rev:0:12}$" <<<"$status_out" || fail "status does not show the rollback"
grep -qF "  HOLD: rolled back to ${promoted_rev:0:12}" <<<"$status_out" || fail "status does not show the hold"
set +e
refusal=$(promote_cmd "$ENV_NAME" --no-render 2>&1)
status=$?
set -e
[ "$status" = 1 ] || fail "a plain promote while $ENV_NAME is held exited $status, expected 1: $refusal"
grep -qF "$ENV_NAME is held at ${promoted_rev:0:12}" <<<"$refusal" || fail "the refusal does not name the hold: $refusal"
[ "$(remote_ref "$ENV_REF")" = "$promoted_rev" ] || fail "a refused promote moved $ENV_REF"
promote_cmd "$ENV_NAME" --release-hold --reason "e2e: fixed" --no-render | sed 's/^/e2e:      /'
promote_cmd "$ENV_NAME" --dry-run --no-render | grep -qF "dry run: $ENV_REF not moved" || fail "after --release-hold a promote still refuses"
say "   ok  $ENV_REF back at ${promoted_rev:0:12}; memory, models and label back; held: a plain promote refused until --release-hold"
end promotion_rollback
say "promotion timing (s): init ${timing[promotion_init]}, track ${timing[promotion_track]}, main moves ${timing[promotion_main]}, promote ${timing[promotion_promote]}, status ${timing[promotion_status]}, rollback ${timing[promotion_rollback]}"
