#!/usr/bin/env bash
# Reproduce the MOS study of Ledig et al. (SRGAN, CVPR 2017) from benchmark images.
#
#   scripts/reproduce_srgan.sh DATA_DIR prepare     # import, generate, build the study
#   scripts/reproduce_srgan.sh DATA_DIR simulate    # (no humans) 26 simulated raters
#   scripts/reproduce_srgan.sh DATA_DIR export OUT  # tables, tests and Figure 5 into OUT
#   scripts/reproduce_srgan.sh DATA_DIR all OUT     # prepare + simulate + export (CI)
#
# DATA_DIR holds benchmarks/{Set5,Set14,BSD100}/x4 (img_NNN_SRF_4_HR.png + _LR.png),
# train/BSD300-train (the calibration photographs), outputs/Set5/x4 (published
# outputs, img_NNN_SRF_4_<method>.png) and outputs/srgan-authors/<METHOD>/<name>_<METHOD>.png
# (the outputs released with the paper). Any of the published folders may be absent.
# Between "prepare" and "export", open the study and send the raters their links:
#   python manage.py open_study srgan2017
#   python manage.py invite_raters srgan2017 --out links.csv   (the 26 places' links)
# Uses the database and storage of the environment (DATABASE_URL, MEDIA_ROOT, ...).
set -euo pipefail

DATA=${1:?usage: reproduce_srgan.sh DATA_DIR prepare|simulate|export OUT|all OUT}
STAGE=${2:?usage: reproduce_srgan.sh DATA_DIR prepare|simulate|export OUT|all OUT}
OUT=${3:-exports/srgan2017}
STUDY=${STUDY:-srgan2017}
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
manage() { "$PY" manage.py "$@"; }

write_rename() {  # write_rename FILE NAME... : CSV mapping the names to img_001, img_002, ...
  local file=$1 n=1; shift
  echo "from,to" > "$file"
  for name in "$@"; do printf '%s,img_%03d\n' "$name" "$n" >> "$file"; n=$((n + 1)); done
}

prepare() {
  manage migrate --noinput -v 0
  for set in Set5 Set14 BSD100; do
    manage import_dataset "$set" "$DATA/benchmarks/$set/x4" --scale 4 \
      --pattern '{name}_SRF_4_HR.png' --lr-pattern '{name}_SRF_4_LR.png'
  done
  manage import_dataset BSD300-train "$DATA/train/BSD300-train" --scale 4 --role calibration

  # Published outputs of Huang et al. (Set5): SRCNN and SelfExSR.
  if [ -d "$DATA/outputs/Set5/x4" ]; then
    manage import_outputs Set5 srcnn "$DATA/outputs/Set5/x4" --pattern '{name}_SRF_4_SRCNN.png'
    manage import_outputs Set5 selfexsr "$DATA/outputs/Set5/x4" \
      --pattern '{name}_SRF_4_SelfExSR.png' --label SelfExSR
  fi

  # The SRGAN authors' outputs name images by their Set5/Set14 names (the order of
  # the img_NNN files, as in the datasets' README).
  authors="$DATA/outputs/srgan-authors"
  if [ -d "$authors" ]; then
    renames=$(mktemp -d)
    trap 'rm -rf "$renames"' RETURN
    write_rename "$renames/Set5.csv" baby bird butterfly head woman
    write_rename "$renames/Set14.csv" baboon barbara bridge coastguard comic face flowers \
      foreman lenna man monarch pepper ppt3 zebra
    for pair in SRResNet-MSE:srresnet-mse SRGAN-VGG54:srgan-vgg54; do
      folder=${pair%%:*}; method=${pair##*:}
      [ -d "$authors/$folder" ] || continue
      for set in Set5 Set14; do
        manage import_outputs "$set" "$method" "$authors/$folder" \
          --pattern "{name}_${folder}.png" --rename "$renames/$set.csv"
      done
    done
  fi

  # Every other method whose weights are available is generated (in-process, or on
  # the Celery workers when CELERY_BROKER_URL is set).
  for method in $("$PY" -m srmodels methods --available --kind model --keys); do
    for set in Set5 Set14 BSD100; do
      manage generate_outputs "$set" "$method" --wait
    done
  done

  manage create_study "$STUDY" --preset srgan2017 --allow-missing-methods
}

case "$STAGE" in
  prepare) prepare ;;
  simulate)
    manage open_study "$STUDY" || true
    manage simulate_raters "$STUDY" --count 26 --seed 2017 ;;
  export) manage export_results "$STUDY" --out "$OUT" --overwrite ;;
  all)
    prepare
    manage open_study "$STUDY"
    manage simulate_raters "$STUDY" --count 26 --seed 2017
    manage export_results "$STUDY" --out "$OUT" --overwrite ;;
  *) echo "unknown stage $STAGE (prepare, simulate, export, all)" >&2; exit 2 ;;
esac
