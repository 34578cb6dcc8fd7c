#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run lazymap-bench in a QEMU VM (`make bench`): build the module and the
# benchmark, boot the bookworm test kernel, let the benchmark load the
# module at the sizes it needs, carry its CSV back, draw the chart and
# print the table.  Then, as a second instrument nobody here wrote, fio:
# the job files of selftests/lazymap/fio/ (but coherence.fio, a check) on
# /dev/lazymap and on a 64 MiB file in the guest's tmpfs (shmem), each run
# on an empty device (module reloaded) or a new sparse file, interleaved;
# fio's own bandwidth and IOPS are reported next to the benchmark's table.
# The guest is the Debian root filesystem of check.sh --rootfs, which has
# fio.
#
#   scripts/bench.sh [--reps N] [--fio-reps N] [--timeout SEC] [--mem MB]
#                    [--out DIR] [--update-docs] [-- BENCH-ARGS...]
#
# --reps N         repetitions of each measurement in the VM (default 7)
# --fio-reps N     runs of each fio job file on each target (default 3;
#                  0: no fio)
# --timeout SEC    fail if the VM has not finished after SEC s (default 600)
# --mem MB         guest memory in MiB (default 1024)
# --out DIR        where the results go (default build/bench)
# --update-docs    also copy the table and the chart into docs/bench.md and
#                  docs/bench.png (between the markers in docs/bench.md)
# -- BENCH-ARGS    more arguments for lazymap-bench (e.g. --scenarios 1,3)
#
# BENCH-ARGS can also come from $BENCH_ARGS, or $ARGS as set by
# `make bench ARGS="--scenarios 6"`.
#
# Results in DIR:
#   results.csv   every metric: scenario,title,backend,metric,unit,reps,
#                 min,median,max
#   summary.csv   one line a scenario with the checked value and its target
#   table.txt     the table printed at the end, table.md the same in Markdown
#   bench.png     the chart (gnuplot)
#   console.log   the VM's console
#   history.csv   the summary of every run, appended, for the stability
#                 across runs printed after the table
#   fio.csv       every fio job: target,jobfile,run,job,error,read KiB/s,
#                 read IOPS,write KiB/s,write IOPS
#   fio.txt       the fio table printed at the end: per job file and
#                 target, the median over the runs of the sum over its
#                 jobs (processes); the read figures are fio's verify pass
#                 (crc32c included), the ratio is lazymap / tmpfs
#
# Timing is a benchmark, not a test: a missed target does not fail this
# script.  Exit status: 0 when the benchmark ran, 1 when it could not (build,
# VM or benchmark error; vm-run.sh's own codes 124-126 pass through).
set -euo pipefail
# shellcheck source=scripts/vm-lib.sh
. "$(dirname "$0")/vm-lib.sh"

usage() {
	lm_die "usage: $0 [--reps N] [--fio-reps N] [--timeout SEC]" \
		"[--mem MB] [--out DIR] [--update-docs] [-- BENCH-ARGS...]"
}

# bench_data RESULTS SPEC...: one data line for gnuplot per SPEC
# "LABEL|SCENARIO|METRIC|SERIES..." where each SERIES is a backend name:
# the label, then median, min and max of each series ("-" where missing).
bench_data() {
	local results=$1
	shift
	printf '%s\n' "$@" | awk -F, -v res="$results" '
		BEGIN {
			while ((getline line < res) > 0) {
				n = split(line, f, ",")
				if (n < 9) continue
				v[f[1] "|" f[4] "|" f[3]] = f[8] " " f[7] " " f[9]
			}
		}
		{
			n = split($0, s, "|")
			out = "\"" s[1] "\""
			for (i = 4; i <= n; i++) {
				k = s[2] "|" s[3] "|" s[i]
				out = out " " (k in v ? v[k] : "- - -")
			}
			print out
		}'
}

# plot_chart DIR PNG: the chart of DIR/results.csv, with gnuplot.
plot_chart() {
	local dir=$1 png=$2 tmp title
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/lazymap-plot.XXXXXX")
	bench_data "$dir/results.csv" \
		"1 write|1|time|lazymap|memfd|anon" \
		"2 read|2|time|lazymap|memfd|anon" \
		"3 re-map|3|time|lazymap|memfd|anon" \
		"4 CoW|4|time|lazymap|memfd|anon" \
		"5 random|5|time|lazymap|memfd|anon" \
		"8 read()|8|time-read|lazymap|memfd|anon" \
		"8 mapping|8|time-mmap|lazymap|memfd|anon" >"$tmp/time.dat"
	bench_data "$dir/results.csv" \
		"1 write|1|time|lazymap/memfd" \
		"2 read|2|time|lazymap/memfd" \
		"3 re-map|3|time|lazymap/memfd" \
		"4 CoW|4|time|lazymap/memfd" \
		"5 random|5|time|lazymap/memfd" >"$tmp/ratio.dat"
	bench_data "$dir/results.csv" \
		"6 speed-up|6|speedup|lazymap|memfd|anon|vm-cpu" \
		"7 1TiB/1MiB|7|size-ratio|lazymap|memfd|anon|none" \
		"7 dev. size|7|device-size-only|lazymap|memfd|anon|none" \
		"10 range/page|10|range/1page|lazymap|memfd|anon|none" \
		"10 range/far|10|range/1page-far|lazymap|memfd|anon|none" \
		>"$tmp/scale.dat"
	bench_data "$dir/results.csv" \
		"free memory|9|overhead-memfree|lazymap|memfd|anon" \
		"kernel counters|9|overhead-counted|lazymap|memfd|anon" \
		>"$tmp/mem.dat"
	title="lazymap-bench, $krel under QEMU TCG, $reps repetitions, $(date -u +%Y-%m-%d)"
	cat >"$tmp/plot.gp" <<-EOF
	set terminal pngcairo size 1400,1000 noenhanced font "sans,10" background "white"
	set output "$png"
	set datafile missing "-"
	set style data histogram
	set style histogram errorbars gap 1 lw 1
	set style fill solid 0.75 border -1
	set boxwidth 0.9
	set grid ytics
	set key top left
	set xtics nomirror
	set multiplot layout 2,2 title "$title"

	set title "Time per page, median (bars: min..max of repetitions)"
	set ylabel "ns per page (log)"
	set logscale y
	plot "$tmp/time.dat" using 2:3:4:xtic(1) title "lazymap" lc rgb "#1f77b4", \
	     "" using 5:6:7 title "memfd (shmem)" lc rgb "#ff7f0e", \
	     "" using 8:9:10 title "anon" lc rgb "#2ca02c"

	set title "Scenarios 1-5: lazymap / memfd (target <= 1.00)"
	set ylabel "ratio"
	unset logscale y
	set yrange [0:*]
	plot "$tmp/ratio.dat" using 2:3:4:xtic(1) title "lazymap / memfd" lc rgb "#1f77b4", \
	     1.00 with lines dt 2 lc rgb "black" title "1.00", \
	     1.05 with lines dt 3 lc rgb "red" title "1.05"

	set title "6: speed-up (target >= 1.6); 7: 1 TiB / 1 MiB (<= 1.5); 10: 1 TiB with 10 pages / 1 page (< 10)"
	set ylabel "x (log)"
	set logscale y
	set yrange [*:*]
	plot "$tmp/scale.dat" using 2:3:4:xtic(1) title "lazymap" lc rgb "#1f77b4", \
	     "" using 5:6:7 title "memfd (shmem)" lc rgb "#ff7f0e", \
	     "" using 8:9:10 title "anon" lc rgb "#2ca02c", \
	     "" using 11:12:13 title "CPU-only control" lc rgb "#999999"

	set title "9: kernel memory beyond the data pages (target <= 1 %)"
	set ylabel "% of the data"
	unset logscale y
	set yrange [0:*]
	plot "$tmp/mem.dat" using 2:3:4:xtic(1) title "lazymap" lc rgb "#1f77b4", \
	     "" using 5:6:7 title "memfd (shmem)" lc rgb "#ff7f0e", \
	     "" using 8:9:10 title "anon" lc rgb "#2ca02c", \
	     1.0 with lines dt 2 lc rgb "red" title "1 %"
	unset multiplot
	EOF
	gnuplot "$tmp/plot.gp" 2>"$tmp/err" || {
		cat "$tmp/err" >&2
		rm -rf "$tmp"
		lm_die "gnuplot failed"
	}
	rm -rf "$tmp"
}

# print_history HIST N [md]: the checked value of each scenario in the last
# N full runs of HIST, side by side (Markdown with "md").
print_history() {
	awk -F, -v want="$2" -v md="${3:-}" '
		NR == 1 { next }
		{
			if (!($1 in seen)) { seen[$1] = 1; runs[++nr] = $1 }
			key = $1 "|" $4
			if ($4 == "load")
				cell[key] = sprintf("%s before, %s after", $5, $7)
			else
				cell[key] = sprintf("%.2f [%.2f..%.2f] %s", $6, $5, $7, $8)
			if (!($4 in sc)) { sc[$4] = 1; ids[++ns] = $4 }
		}
		END {
			first = nr - want + 1
			if (first < 1) first = 1
			if (md) {
				line = "| # |"; sep = "|---|"
				for (r = first; r <= nr; r++) {
					line = line " " runs[r] " |"; sep = sep "---|"
				}
				print line; print sep
			} else {
				printf "stability: checked value per run (median [min..max] result)\n%-6s", "#"
				for (r = first; r <= nr; r++)
					printf "  %-34s", runs[r]
				printf "\n"
			}
			for (i = 1; i <= ns; i++) {
				if (md) line = "| " ids[i] " |"
				else line = sprintf("%-6s", ids[i])
				for (r = first; r <= nr; r++) {
					c = runs[r] "|" ids[i]
					v = (c in cell) ? cell[c] : "-"
					if (md) line = line " " v " |"
					else line = line sprintf("  %-34s", v)
				}
				print line
			}
		}' "$1"
}

# fio_table CSV: per job file and target, the median over the runs of the
# summed bandwidth (MiB/s) and IOPS of its jobs, lazymap next to tmpfs.
fio_table() {
	awk -F, '
		function median(key, n,   i, j, t, a) {
			for (i = 1; i <= n; i++) a[i] = v[key, i]
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		{
			k = $1 SUBSEP $2 SUBSEP $3
			wbw[k] += $8; wio[k] += $9; rbw[k] += $6; rio[k] += $7
			if ($5 != 0) err[$2] = 1
			if (!($2 in seen)) { seen[$2] = 1; jobs[++nj] = $2 }
			if ($3 > runs) runs = $3
		}
		END {
			printf "fio in the same guest: MiB/s (IOPS), median of %d runs, summed over each job file%s processes;\n", \
				runs, "\047s"
			printf "reads are the verify pass (crc32c); ratio = lazymap / tmpfs (64 MiB file, shmem)\n"
			printf "%-9s %-22s %-22s %6s  %-22s %-22s %6s\n", "job file", \
				"lazymap write", "tmpfs write", "ratio", "lazymap read", \
				"tmpfs read", "ratio"
			for (i = 1; i <= nj; i++) {
				j = jobs[i]
				for (t = 1; t <= 2; t++) {
					tg = t == 1 ? "lazymap" : "tmpfs"
					for (r = 1; r <= runs; r++) {
						k = tg SUBSEP j SUBSEP r
						v["w" tg, r] = wbw[k] / 1024
						v["wi" tg, r] = wio[k]
						v["r" tg, r] = rbw[k] / 1024
						v["ri" tg, r] = rio[k]
					}
					w[tg] = median("w" tg, runs)
					wi[tg] = median("wi" tg, runs)
					rd[tg] = median("r" tg, runs)
					ri[tg] = median("ri" tg, runs)
				}
				printf "%-9s %-22s %-22s %6.2f  %-22s %-22s %6.2f%s\n", j, \
					sprintf("%.1f (%d)", w["lazymap"], wi["lazymap"]), \
					sprintf("%.1f (%d)", w["tmpfs"], wi["tmpfs"]), \
					w["tmpfs"] ? w["lazymap"] / w["tmpfs"] : 0, \
					sprintf("%.1f (%d)", rd["lazymap"], ri["lazymap"]), \
					sprintf("%.1f (%d)", rd["tmpfs"], ri["tmpfs"]), \
					rd["tmpfs"] ? rd["lazymap"] / rd["tmpfs"] : 0, \
					(j in err) ? "  (a job reported an error)" : ""
			}
		}' "$1"
}

# replace_between FILE NAME CONTENT-FILE: put CONTENT-FILE between the lines
# "<!-- NAME:begin -->" and "<!-- NAME:end -->" of FILE.
replace_between() {
	local file=$1 name=$2 content=$3
	grep -q "^<!-- $name:begin -->$" "$file" ||
		lm_die "$file has no <!-- $name:begin --> marker"
	awk -v name="$name" -v content="$content" '
		$0 == "<!-- " name ":end -->" { skip = 0 }
		!skip { print }
		$0 == "<!-- " name ":begin -->" {
			while ((getline line < content) > 0) print line
			skip = 1
		}' "$file" >"$file.tmp"
	mv "$file.tmp" "$file"
}

# update_docs DIR: the table, the stability and the chart into docs/.
update_docs() {
	local dir=$1 doc=$LM_TOP/docs/bench.md tmp
	[ -f "$doc" ] || lm_die "$doc does not exist"
	tmp=$(mktemp "${TMPDIR:-/tmp}/lazymap-docs.XXXXXX")
	{
		echo "Run of $(date -u +%Y-%m-%d) on $krel, $reps repetitions" \
			"(host load average before/after: $load_before / $load_after):"
		echo
		cat "$dir/table.md"
	} >"$tmp"
	replace_between "$doc" bench-table "$tmp"
	print_history "$dir/history.csv" 3 md >"$tmp"
	replace_between "$doc" bench-stability "$tmp"
	rm -f "$tmp"
	cp "$dir/bench.png" "$LM_TOP/docs/bench.png"
	lm_log "updated $doc and docs/bench.png"
}

reps=7 fio_reps=3 timeout=600 mem=1024 out=$LM_BUILD/bench docs=''
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	--update-docs) docs=1; shift; continue ;;
	esac
	[ $# -ge 2 ] || usage
	case $1 in
	--reps) reps=$2 ;;
	--fio-reps) fio_reps=$2 ;;
	--timeout) timeout=$2 ;;
	--mem) mem=$2 ;;
	--out) out=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[[ $reps =~ ^[1-9][0-9]*$ ]] || lm_die "--reps wants a number, not $reps"
[[ $fio_reps =~ ^[0-9]+$ ]] ||
	lm_die "--fio-reps wants a number, not $fio_reps"
bench_args=("$@")
if [ ${#bench_args[@]} -eq 0 ]; then
	# Word splitting is the point: "--scenarios 1,2" is two arguments.
	# shellcheck disable=SC2206
	bench_args=(${BENCH_ARGS:-${ARGS:-}})
fi

start=$SECONDS
lm_need_pkgs gnuplot-nox

# Runs share the output directory: take turns.
lm_vm_lock "$out" "benchmark run"
out=$(cd "$out" && pwd)
# What the benchmark writes, carried out of the VM.
files=(results.csv summary.csv table.txt table.md fio.csv)

# 1, 2. The bookworm kernel and the module built against it.
lm_vm_select bookworm '' '' '' "bench step"
krel=$LM_VM_KREL

lm_log "bench step 3/5: building lazymap-bench"
lm_vm_make userspace
bench=$LM_BUILD/userspace/lazymap-bench
[ -x "$bench" ] || lm_die "make userspace did not build $bench"

# The guest script: the benchmark, then every result file between marker
# lines on the console, where the host picks them up.  The kernel log level
# keeps kernel messages (module loads) from splitting those lines.
lm_log "bench step 4/5: building the initramfs"
script=$out/run.sh
{
	echo '#!/bin/sh'
	echo '# Generated by scripts/bench.sh: run lazymap-bench, print its files.'
	echo 'dmesg -n 1'
	printf 'lazymap-bench --ko /lazymap/lazymap.ko --reps %s --out /tmp' \
		"$reps"
	lm_vm_sh_args ${bench_args[@]+"${bench_args[@]}"}
	printf '\n'
	cat <<-EOF
	rc=\$?
	# fio: each job file on the device and on a tmpfs file, interleaved,
	# each run from empty.
	if [ $fio_reps -gt 0 ] && command -v fio >/dev/null; then
		echo "lazymap-bench: fio, $fio_reps runs of each job file"
		: >/tmp/fio.csv
		for run in \$(seq $fio_reps); do
		for job in mmap psync pvsync2 sync splice; do
		for target in lazymap tmpfs; do
			if [ \$target = lazymap ]; then
				rmmod lazymap 2>/dev/null
				insmod /lazymap/lazymap.ko || exit 1
				LM_FIO_FILE=/dev/lazymap
			else
				rm -f /tmp/fio.img
				truncate -s 64M /tmp/fio.img
				LM_FIO_FILE=/tmp/fio.img
			fi
			export LM_FIO_FILE
			fio --output-format=terse --terse-version=3 \\
				/lazymap/fio/\$job.fio 2>/dev/null |
				awk -F';' -v t=\$target -v j=\$job -v r=\$run \\
				'\$1 == "3" { print t "," j "," r "," \$3 "," \$5 "," \\
					\$7 "," \$8 "," \$48 "," \$49 }' >>/tmp/fio.csv
		done
		done
		done
		rm -f /tmp/fio.img
	fi
	for f in ${files[*]}; do
		[ -f "/tmp/\$f" ] || continue
		echo "lazymap-bench-file-begin: \$f"
		cat "/tmp/\$f"
		echo "lazymap-bench-file-end: \$f"
	done
	exit \$rc
	EOF
} >"$script"
lm_vm_rootfs "$LM_VM_KERNEL" "$LM_VM_KREL"
lm_vm_initramfs "$out/initramfs.cpio.gz" "$LM_VM_MODULE" "$script" \
	--bin "$bench:/lazymap/bin/" --add "$LM_VM_KMODS:/lazymap/kmod" \
	--add "$LM_TOP/selftests/lazymap/fio:/lazymap/fio"

lm_log "bench step 5/5: booting $krel in QEMU (TCG) and running the" \
	"benchmark ($reps repetitions)"
# The host's load says how far the timings can be trusted: other VMs and
# builds take the CPUs the guest's virtual CPUs run on.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log=$out/console.log
rm -f "${files[@]/#/$out/}" "$out/bench.png"
rc=0
# The guest's progress lines go to stderr; the files stay in the log.
# A thread per vCPU: scenario 6 measures two threads running at once,
# which the one host thread of the VMs that test cannot do.  The
# benchmark's VM runs alone, so no second VM competes for the cores.
lm_vm_boot "$LM_VM_KERNEL" "$out/initramfs.cpio.gz" --log "$log" \
	--timeout "$timeout" --mem "$mem" --append quiet \
	--rootfs "$LM_VM_ROOTFS" --accel tcg,thread=multi \
	> >(awk '/^lazymap-guest-exit:/ { on = 0 }
		/^lazymap-bench-file-begin:/ { on = 0 }
		on && /^lazymap-bench:/ { print; fflush() }
		/^lazymap-init: .*running/ { on = 1 }' >&2) || rc=$?
wait $! 2>/dev/null || true
if [ "$VM_PROBLEM" != none ]; then
	lm_warn "the VM run failed: $VM_REASON (console log: $log)"
	[ "$rc" -ne 0 ] || rc=1
	exit "$rc"
fi
[ "$rc" -eq 0 ] || lm_die "lazymap-bench failed in the VM (status $rc;" \
	"console log: $log)"

# Carry the files out of the console log (fio.csv only if fio ran).
for f in "${files[@]}"; do
	awk -v f="$f" '
		$0 == "lazymap-bench-file-end: " f { on = 0 }
		on { print }
		$0 == "lazymap-bench-file-begin: " f { on = 1; seen = 1 }
		END { exit !seen }' "$log" >"$out/$f" && continue
	[ "$f" = fio.csv ] && [ "$fio_reps" -eq 0 ] && continue
	lm_die "no $f in the console log $log"
done

# The chart, of full runs only (its panels need every scenario).
if [ ${#bench_args[@]} -eq 0 ]; then
	plot_chart "$out" "$out/bench.png"
else
	lm_log "partial run (${bench_args[*]}): no chart"
fi

# The history of the checked values of full runs, for the stability, with
# what explains their swings: the speed-up that two threads get at all in
# the VM (scenario 6's control) and the host's load average over 1 minute
# before and after the run.
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
hist=$out/history.csv
if [ ${#bench_args[@]} -eq 0 ]; then
	[ -s "$hist" ] ||
		echo "run,kernel,reps,scenario,min,median,max,result" >"$hist"
	run=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	{
		awk -F, 'NR > 1 { print $1 "," $8 "," $9 "," $10 "," $12 }' \
			"$out/summary.csv"
		awk -F, '$3 == "vm-cpu" {
			print "6 ctl," $7 "," $8 "," $9 ",info" }' \
			"$out/results.csv"
		echo "load,${load_before%% *},,${load_after%% *},host"
	} | sed "s/^/$run,$krel,$reps,/" >>"$hist"
fi

cat "$out/table.txt"
if [ -s "$out/fio.csv" ]; then
	fio_table "$out/fio.csv" >"$out/fio.txt"
	echo
	cat "$out/fio.txt"
fi
echo "host load average (1, 5, 15 min) before: $load_before, after: $load_after"
if [ -s "$hist" ]; then
	echo
	print_history "$hist" 3
fi

if [ -n "$docs" ]; then
	[ ${#bench_args[@]} -eq 0 ] ||
		lm_die "--update-docs wants a full run (no BENCH-ARGS)"
	update_docs "$out"
fi
lm_log "results in $out (chart: $out/bench.png) after $((SECONDS - start)) s"
