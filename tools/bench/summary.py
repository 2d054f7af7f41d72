"""The tables of eddy's echo benchmark (tools/bench/run.py), from its raw lines.

Each raw line is "rep=R scen=S server=V" and the load generator's key=value pairs (or
failed=WHY). Figures are medians over the repetitions; the CPU ratio to the reference is
paired: each repetition's figure is divided by the reference's from the same repetition,
and the median of those ratios is shown with their range.
"""

from statistics import median

# mode -> (the throughput key, its unit)
THROUGHPUT = {
    "pingpong": ("msgs_per_s", "msgs/s"),
    "udp": ("msgs_per_s", "datagrams/s"),
    "stream": ("mb_per_s", "MB/s"),
}
PER_MESSAGE = {"pingpong": "message", "udp": "datagram", "stream": "chunk"}


def parse_line(line):
    return dict(field.split("=", 1) for field in line.split() if "=" in field)


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def fmt(value, decimals=1):
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{decimals}f}"


def table(headers, rows):
    """A markdown table, padded so that it also reads as plain text."""
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]

    def row(cells, first_left=True):
        out = []
        for i, cell in enumerate(cells):
            cell = str(cell)
            out.append(cell.ljust(widths[i]) if i == 0 and first_left else cell.rjust(widths[i]))
        return "| " + " | ".join(out) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|"
    return "\n".join([row(headers), rule] + [row(r) for r in rows])


class Results:
    def __init__(self, lines):
        self.by_cell = {}  # (scenario, server) -> {rep: record}
        for line in lines:
            rec = parse_line(line)
            self.by_cell.setdefault((rec.get("scen"), rec.get("server")), {})[rec.get("rep")] = rec

    def good(self, scenario, server):
        """The records of a cell that did not fail, by repetition."""
        cell = self.by_cell.get((scenario, server), {})
        return {rep: r for rep, r in cell.items() if "failed" not in r}

    def values(self, scenario, server, key):
        return [v for v in (number(r.get(key)) for r in self.good(scenario, server).values())
                if v is not None]

    def median_of(self, scenario, server, key):
        vals = self.values(scenario, server, key)
        return median(vals) if vals else None

    def spread(self, scenario, server, key):
        vals = self.values(scenario, server, key)
        if len(vals) < 2 or median(vals) == 0:
            return "-"
        return f"{100 * (max(vals) - min(vals)) / median(vals):.0f}%"

    def paired_ratios(self, scenario, server, reference, key):
        ours, theirs = self.good(scenario, server), self.good(scenario, reference)
        ratios = []
        for rep in ours:
            a, b = number(ours[rep].get(key)), number(theirs.get(rep, {}).get(key))
            if a is not None and b:
                ratios.append(a / b)
        return ratios


def mode_of(scenario, results, servers):
    for server in servers:
        for rec in results.good(scenario, server).values():
            if "mode" in rec:
                return rec["mode"]
    return None


def render(lines, scenarios, servers, reference):
    res = Results(lines)
    reps = {r for cell in res.by_cell.values() for r in cell}
    modes = {s: mode_of(s, res, servers) for s in scenarios}
    moving = [s for s in scenarios if modes[s] in THROUGHPUT]
    others = [s for s in servers if s != reference]
    out = []

    if moving:
        count = f"{len(reps)} repetition" + ("s" if len(reps) != 1 else "")
        out.append(f"### Throughput (median of {count}; spread: (max - min) / median)\n")
        headers = ["scenario", "unit"] + [h for s in servers for h in (s, "spread")]
        rows = []
        for sc in moving:
            key, unit = THROUGHPUT[modes[sc]]
            row = [sc, unit]
            for s in servers:
                row += [fmt(res.median_of(sc, s, key)), res.spread(sc, s, key)]
            rows.append(row)
        out.append(table(headers, rows))

        out.append("\n### Server CPU per message, us (median; udp: per datagram, stream: per chunk)\n")
        rows = [[sc] + [fmt(res.median_of(sc, s, "srv_us_per_msg"), 2) for s in servers]
                for sc in moving]
        out.append(table(["scenario"] + servers, rows))

        if reference in servers and others:
            out.append(f"\n### Server CPU per message relative to {reference} (1.00: the same, "
                       "above: more CPU), paired per repetition: median of the per-repetition "
                       "ratios [lowest - highest]\n")
            rows = []
            for sc in moving:
                row = [sc]
                for s in others:
                    ratios = res.paired_ratios(sc, s, reference, "srv_us_per_msg")
                    row.append(f"{median(ratios):.2f} [{min(ratios):.2f} - {max(ratios):.2f}]"
                               if ratios else "-")
                rows.append(row)
            out.append(table(["scenario"] + [f"{s} / {reference}" for s in others], rows))

        timed = [sc for sc in moving if modes[sc] in ("pingpong", "udp")]
        if timed:
            out.append("\n### Round trip p50 / p99, us (median)\n")
            rows = [[sc] + [f"{fmt(res.median_of(sc, s, 'p50_us'))} / "
                            f"{fmt(res.median_of(sc, s, 'p99_us'))}" for s in servers]
                    for sc in timed]
            out.append(table(["scenario"] + servers, rows))

        out.append("\n### CPU use in the measured window, server / load generator (fraction of "
                   "a core; a load generator near 1.00 is what limits the rate)\n")
        rows = [[sc] + [f"{fmt(res.median_of(sc, s, 'srv_cpu'), 2)} / "
                        f"{fmt(res.median_of(sc, s, 'lg_cpu'), 2)}" for s in servers]
                for sc in moving]
        out.append(table(["scenario"] + servers, rows))

    for sc in [s for s in scenarios if modes[s] == "idle"]:
        out.append(f"\n### Idle connections ({sc}): server memory (median)\n")
        rows = []
        for s in servers:
            rows.append([s, fmt(res.median_of(sc, s, "established"), 0),
                         fmt(res.median_of(sc, s, "rss_before_kb"), 0),
                         fmt(res.median_of(sc, s, "rss_after_kb"), 0),
                         fmt(res.median_of(sc, s, "bytes_per_conn"), 0)])
        out.append(table(["server", "established", "RSS before, KiB", "RSS after, KiB",
                          "bytes per connection"], rows))

    out.append("\n" + problems(res, scenarios, servers))
    return "\n".join(out) + "\n"


def problems(res, scenarios, servers):
    """The errors, lost datagrams and failed runs, or a line saying there were none."""
    found = []
    for sc in scenarios:
        for s in servers:
            cell = res.by_cell.get((sc, s), {})
            failed = [r["failed"] for r in cell.values() if "failed" in r]
            errors = sum(number(r.get("errors")) or 0 for r in cell.values())
            lost = sum(number(r.get("lost")) or 0 for r in cell.values())
            late = sum(number(r.get("late")) or 0 for r in cell.values())
            if failed:
                found.append(f"- {sc} / {s}: {len(failed)} failed runs ({', '.join(failed)})")
            if errors:
                found.append(f"- {sc} / {s}: {errors:.0f} errors")
            if lost or late:
                found.append(f"- {sc} / {s}: {lost:.0f} datagrams lost, {late:.0f} late")
    if not found:
        return "No errors: every echoed byte was checked, no run failed, no datagram was lost."
    return "### Problems (summed over the repetitions)\n\n" + "\n".join(found)
