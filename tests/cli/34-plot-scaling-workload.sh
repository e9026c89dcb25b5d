# npubench plot scaling --workload: step time and MFU against chip count, a
# line pair per chip; every point is what 'run --target CHIP --case' stores
# for the case at that chip count (checked in the script's inline data).
. "$NB_SRCDIR/tests/cli/lib.sh"
plot_setup

TRAIN='train model=llama3-8b seq=4096 global_batch=64 micro_batch=1 tp=4 sp=true'
expect 0 nb plot scaling --workload "$TRAIN" --chips h100,a100,tpu-v5e --script "$T/train.gp"
if python3 - "$T/train.gp" "$NPUBENCH" "$TRAIN" <<'PY'
import csv, re, shlex, subprocess, sys
gp, exe, base = sys.argv[1:4]
text = open(gp).read()
blocks, cur = {}, None
for line in text.splitlines():
    m = re.match(r'^\$(\w+) << EOD$', line)
    if m:
        cur = blocks.setdefault(m.group(1), [])
    elif line == 'EOD':
        cur = None
    elif cur is not None:
        cur.append([float(v) for v in shlex.split(line)])
titles = re.findall(r"\$step(\d+) using [^\n]*? title ['\"]([^'\"]*)['\"]", text)
names = {"NVIDIA H100 SXM5 80GB": "h100", "NVIDIA A100 SXM4 80GB": "a100"}
assert sorted(t for _, t in titles) == sorted(names), titles
assert "tpu" not in " ".join(t for _, t in titles)   # 16 GB: tp=4 holds no 8B step
for idx, title in titles:
    steps, mfus = blocks["step" + idx], blocks["mfu" + idx]
    assert [r[0] for r in steps] == [r[0] for r in mfus], (steps, mfus)
    assert [r[0] for r in steps] == [4 * 2 ** i for i in range(len(steps))] and len(steps) == 7, steps
    for (chips, step), (_, mfu) in zip(steps, mfus):
        case = "%s dp=%d" % (base, chips // 4)
        out = subprocess.run([exe, "run", "--target", names[title], "--case", case, "--format", "csv"],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        r = list(csv.DictReader(out))[0]
        assert r["status"] == "ok", r
        assert abs(float(r["t_median"]) - step) <= 1e-6 * step, (title, chips, step, r["t_median"])
        assert abs(100 * float(r["mfu"]) - mfu) <= 1e-6 * mfu, (title, chips, mfu, r["mfu"])
    # Strong scaling: more chips, shorter steps.
    assert all(a[1] > b[1] for a, b in zip(steps, steps[1:])), steps
PY
then pass; else fail "scaling --workload: the points are not the model's step times and MFUs"; fi
contains "$T/err" "tpu-v5e: the model predicts"
contains "$T/train.gp" "y2label"

# Inference: tp doubled, one replica.
expect 0 nb plot scaling --workload 'infer model=llama3-8b batch=8 input=512 output=64' --chips h100 --script "$T/infer.gp"
n=$(grep -c '^[0-9]' "$T/infer.gp")
[ "$n" -ge 8 ] && pass || fail "infer scaling: $n data rows"
contains "$T/infer.gp" "tp doubled"

expect 0 nb plot scaling --workload "$TRAIN" --chips h100,910b -o "$T/train.svg" &&
	svg_ok "$T/train.svg" "NVIDIA H100 SXM5 80GB" "MFU (%)" "step time (left)" "chips (tp x pp x dp"
expect 0 nb plot scaling --workload "$TRAIN" --chips h100 -o "$T/train.png" && png_ok "$T/train.png"
COLUMNS=90 expect 0 nb plot scaling --workload "$TRAIN" --chips a100 && contains "$T/out" "MFU (right)"
# Both axes' labels over their axes, and the title above them.
grep -Eq '^ *step time \(s\) +MFU \(%\) *$' "$T/out" && pass || fail "scaling --workload text: no axis labels"
contains "$T/out" "train model=llama3-8b seq=4096"

# Usage errors name what is wrong.
expect 2 nb plot scaling --workload 'gemm m=64'
contains "$T/err" "train or infer"
expect 2 nb plot scaling --workload 'train model=nosuch'
expect 2 nb plot bars --workload "$TRAIN"
contains "$T/err" "scaling only"
expect 2 nb plot scaling --workload "$TRAIN" --kernel gemm
expect 1 nb plot scaling --workload 'train model=llama3-405b seq=8192 global_batch=8' --chips tpu-v5e
contains "$T/err" "nothing to draw"

finish
