"""NLU figures per language: 5-fold cross-validation, or a held-out set (run in the Rasa env).

Cross-validation (the default): folds are stratified by intent (by `faq/<key>` for retrieval
intents); each fold trains on 4/5 of the examples with --config through rasa's Python API and
parses the held-out 1/5 with the whole pipeline, FallbackClassifier included. A message is
Chinese when it contains a CJK character.

Held-out (--heldout tests/nlu/heldout): trains once on all of nlu_data/nlu (or takes --model
models/x.tar.gz) and parses every *.yml in the folder; a file's name is its language (en.yml, zh.yml).

Both print, per language: intent accuracy (a fallback, nlu_fallback, counts as an error), macro and
weighted F1, the fallback rate, the five weakest intents, the top confusion pairs (gold -> predicted;
fallbacks are a column of their own, not a pair) and, for retrieval intents, the response selector's
accuracy. The main classifier's `faq` is the intent of a `faq/<key>` example; the response selector
is right when its intent_response_key equals the gold `faq/<key>`.
Writes the JSON to --out (results/nlu_eval.json, or results/nlu_heldout.json for --heldout) and a
Markdown report beside it (.md); `--json -` prints the JSON alone on stdout instead.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the pipeline's own components (nlu_components/), as `rasa` finds them from the root
CJK = re.compile(r"[\u4e00-\u9fff]")
FALLBACK = "nlu_fallback"
THRESHOLDS = (0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def language_of(text: str) -> str:
    return "zh" if CJK.search(text) else "en"


def stratum(example) -> str:
    """The label a fold keeps in proportion: faq/<key> for a retrieval intent, else the intent."""
    return example.get("intent_response_key") or example.get("intent")


def stratified_folds(examples, folds: int, seed: int):
    by_label = defaultdict(list)
    for example in examples:
        by_label[stratum(example)].append(example)
    assignment = [[] for _ in range(folds)]
    rng = random.Random(seed)
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        for index, example in enumerate(group):
            assignment[index % folds].append(example)
    return assignment


def selector_key(parsed: dict, retrieval_intent: str) -> str | None:
    """The response selector's intent_response_key (faq/<key>) for a retrieval intent, if any."""
    selectors = parsed.get("response_selector") or {}
    selector = selectors.get(retrieval_intent) or selectors.get("default")
    if not isinstance(selector, dict):
        return None
    return (selector.get("response") or {}).get("intent_response_key")


async def parse(agent, examples, language) -> list[dict]:
    """One record per example: gold, the pipeline's intent, the top intent before the fallback."""
    records = []
    for example in examples:
        text = example.get("text")
        parsed = await agent.parse_message(text)
        gold_key = example.get("intent_response_key")
        gold = example.get("intent")
        ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK]
        top = (ranking[0]["name"], ranking[0]["confidence"]) if ranking else ("", 0.0)
        records.append({
            "text": text,
            "language": language(text),
            "gold": gold,
            "gold_key": gold_key,
            # A retrieval intent is `faq` to the main classifier; strip a key should one show up.
            "predicted": (parsed.get("intent") or {}).get("name", "").split("/")[0] or FALLBACK,
            "confidence": round(float((parsed.get("intent") or {}).get("confidence") or 0.0), 3),
            "top": top[0].split("/")[0],
            "top_confidence": round(float(top[1]), 3),
            "selector_key": selector_key(parsed, gold) if gold_key else None,
        })
    return records


def metrics(records: list[dict]) -> dict:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    if not records:
        return {"examples": 0}
    g = [r["gold"] for r in records]
    p = [r["predicted"] for r in records]
    n = len(records)
    labels = sorted(set(g))
    precision, recall, f1, support = precision_recall_fscore_support(g, p, labels=labels, zero_division=0)
    fallbacks = Counter(r["gold"] for r in records if r["predicted"] == FALLBACK)
    per_intent = {
        label: {"f1": round(float(f), 3), "precision": round(float(pr), 3), "recall": round(float(rc), 3),
                "support": int(s), "fallbacks": fallbacks[label]}
        for label, pr, rc, f, s in zip(labels, precision, recall, f1, support)
    }
    pairs = Counter((a, b) for a, b in zip(g, p) if a != b and b != FALLBACK)
    row = {
        "examples": n,
        "accuracy": round(sum(a == b for a, b in zip(g, p)) / n, 4),
        "macro_f1": round(float(f1_score(g, p, labels=labels, average="macro", zero_division=0)), 4),
        "weighted_f1": round(float(f1_score(g, p, labels=labels, average="weighted", zero_division=0)), 4),
        "fallback_rate": round(p.count(FALLBACK) / n, 4),
        "wrong_rate": round(sum(a != b and b != FALLBACK for a, b in zip(g, p)) / n, 4),
        "top_intent_accuracy": round(sum(r["top"] == r["gold"] for r in records) / n, 4),
        "lowest_f1": [{"intent": label, **per_intent[label]}
                      for label in sorted(labels, key=lambda x: (per_intent[x]["f1"], -per_intent[x]["support"], x))[:5]],
        "confusions": [{"gold": a, "predicted": b, "count": c, "gold_support": per_intent[a]["support"],
                        "gold_fallbacks": fallbacks[a]} for (a, b), c in pairs.most_common(10)],
        "fallbacks_by_intent": dict(fallbacks.most_common()),
        "per_intent": per_intent,
    }
    retrieval = [r for r in records if r["gold_key"]]
    if retrieval:
        row["response_selector"] = {
            "examples": len(retrieval),
            # the selector's own figure: its faq/<key> equals the gold one, whatever the intent
            "accuracy": round(sum(r["selector_key"] == r["gold_key"] for r in retrieval) / len(retrieval), 4),
            # what the user gets: the intent is faq and the selector picked the right answer
            "end_to_end_accuracy": round(sum(r["selector_key"] == r["gold_key"] and r["predicted"] == r["gold"]
                                             for r in retrieval) / len(retrieval), 4),
            "no_selector_output": sum(r["selector_key"] is None for r in retrieval),
            "keys": len({r["gold_key"] for r in retrieval}),
        }
    return row


def threshold_sweep(records: list[dict], languages: list[str]) -> dict:
    """What other fallback thresholds would give, from the same predictions (top intent before the fallback)."""
    from sklearn.metrics import f1_score

    sweep = {}
    for threshold in THRESHOLDS:
        row = {}
        for language in languages:
            chosen = [r for r in records if r["language"] == language]
            if not chosen:
                continue
            g = [r["gold"] for r in chosen]
            final = [r["top"] if r["top_confidence"] >= threshold else FALLBACK for r in chosen]
            row[language] = {
                "accuracy": round(sum(a == b for a, b in zip(g, final)) / len(g), 4),
                "macro_f1": round(float(f1_score(g, final, labels=sorted(set(g)), average="macro", zero_division=0)), 4),
                "fallback_rate": round(final.count(FALLBACK) / len(g), 4),
                "wrong_rate": round(sum(a != b and b != FALLBACK for a, b in zip(g, final)) / len(g), 4),
            }
        sweep[str(threshold)] = row
    return sweep


def summarise(report: dict, records: list[dict]) -> dict:
    languages = sorted({r["language"] for r in records})
    report["languages"] = {language: metrics([r for r in records if r["language"] == language]) for language in languages}
    if len(languages) > 1:
        report["languages"]["all"] = metrics(records)
    report["threshold_sweep"] = threshold_sweep(records, languages)
    # The messages read wrongly (a fallback included), to see which intents blur into which.
    report["errors"] = [{k: r[k] for k in ("language", "text", "gold", "predicted", "confidence", "top", "top_confidence")}
                        | ({"gold_key": r["gold_key"], "selector_key": r["selector_key"]} if r["gold_key"] else {})
                        for r in records if r["predicted"] != r["gold"]]
    report["selector_errors"] = [{k: r[k] for k in ("language", "text", "gold_key", "selector_key", "predicted")}
                                 for r in records if r["gold_key"] and r["selector_key"] != r["gold_key"]]
    return report


def _domain() -> str | None:
    """The domain, so that the response selector knows the faq responses (it trains without them too)."""
    domain = ROOT / "config" / "domain"
    return str(domain) if domain.exists() else None


async def cross_validate(folds: int, seed: int, config: Path) -> dict:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(ROOT / "nlu_data" / "nlu"))
    parts = stratified_folds(list(data.intent_examples), folds, seed)
    records, seconds = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(folds):
            train = [e for i, part in enumerate(parts) if i != index for e in part]
            fold_data = TrainingData(training_examples=train, entity_synonyms=data.entity_synonyms,
                                     regex_features=data.regex_features, lookup_tables=data.lookup_tables,
                                     responses=data.responses)
            train_file = Path(tmp) / f"train-{index}.yml"
            RasaYAMLWriter().dump(str(train_file), fold_data)
            started = time.monotonic()
            with contextlib.redirect_stdout(sys.stderr):  # Rasa's "model is trained and saved" line
                model = train_nlu(str(config), str(train_file), tmp, fixed_model_name=f"fold-{index}", domain=_domain())
            seconds.append(time.monotonic() - started)
            agent = Agent.load(model)
            records += await parse(agent, parts[index], language_of)
            print(f"fold {index + 1}/{folds}: trained in {seconds[-1]:.0f} s, {len(parts[index])} held out", flush=True)
    report = {"mode": "cross_validation", "config": str(config), "folds": folds, "seed": seed,
              "train_seconds_per_fold": [round(s, 1) for s in seconds]}
    return summarise(report, records)


def heldout_files(path: Path) -> list[Path]:
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml"))
    if not files:
        raise SystemExit(f"no held-out files (*.yml) in {path}")
    return files


async def heldout(path: Path, model: Path | None, config: Path) -> dict:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.loading import load_data

    files = heldout_files(path)
    report = {"mode": "heldout", "heldout": [str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f) for f in files]}
    with tempfile.TemporaryDirectory() as tmp:
        if model is None:
            started = time.monotonic()
            with contextlib.redirect_stdout(sys.stderr):
                model = Path(train_nlu(str(config), str(ROOT / "nlu_data" / "nlu"), tmp, fixed_model_name="heldout",
                                       domain=_domain()))
            report["train_seconds"] = round(time.monotonic() - started, 1)
            report["config"] = str(config)
            print(f"trained on all of nlu_data/nlu in {report['train_seconds']:.0f} s", flush=True)
        else:
            report["model"] = str(model)
        agent = Agent.load(str(model))
        records = []
        for file in files:
            examples = list(load_data(str(file)).intent_examples)
            records += await parse(agent, examples, lambda _text, lang=file.stem: lang)
    return summarise(report, records)


def print_report(report: dict, stream=sys.stdout) -> None:
    def out(line: str = "") -> None:
        print(line, file=stream)

    languages = report["languages"]
    out(f"\n{'language':<9}{'examples':>9}{'accuracy':>10}{'macro F1':>10}{'weighted F1':>13}{'fallback':>10}"
        f"{'wrong':>8}{'top-1':>8}{'RS acc':>8}")
    for language, row in languages.items():
        if not row["examples"]:
            continue
        selector = row.get("response_selector")
        rs = f"{selector['accuracy']:>8.3f}" if selector else f"{'-':>8}"
        out(f"{language:<9}{row['examples']:>9}{row['accuracy']:>10.3f}{row['macro_f1']:>10.3f}"
            f"{row['weighted_f1']:>13.3f}{row['fallback_rate']:>10.3f}{row['wrong_rate']:>8.3f}"
            f"{row['top_intent_accuracy']:>8.3f}{rs}")
    out("(accuracy counts a fallback as an error; top-1: the top intent before the fallback; RS acc: response selector on faq/<key>)")
    for language, row in languages.items():
        if language == "all" or not row["examples"]:
            continue
        out(f"\n[{language}] lowest F1:")
        for item in row["lowest_f1"]:
            out(f"  {item['intent']:<30} F1 {item['f1']:.3f}  support {item['support']:>4}  fell back {item['fallbacks']:>3}")
        out(f"[{language}] top confusions (gold -> predicted, count; the gold intent's fallbacks apart):")
        for item in row["confusions"]:
            out(f"  {item['gold']:<28} -> {item['predicted']:<28}{item['count']:>4}   "
                f"fallbacks of {item['gold']}: {item['gold_fallbacks']}/{item['gold_support']}")
        if not row["confusions"]:
            out("  none")
        out(f"[{language}] fallback rate {row['fallback_rate']:.3f}: "
            + ", ".join(f"{k} {v}" for k, v in list(row["fallbacks_by_intent"].items())[:8]))
        selector = row.get("response_selector")
        if selector:
            out(f"[{language}] response selector on {selector['examples']} faq examples ({selector['keys']} keys): "
                f"accuracy {selector['accuracy']:.3f}, intent faq and answer right {selector['end_to_end_accuracy']:.3f}"
                + (f", no selector output for {selector['no_selector_output']} (no ResponseSelector in the pipeline?)"
                   if selector["no_selector_output"] else ""))
    if "all" in languages:
        out("\nper-intent F1 (" + " / ".join(k for k in languages if k != "all") + "):")
        for intent in languages["all"]["per_intent"]:
            cells = "".join(f"{languages[k]['per_intent'].get(intent, {}).get('f1', float('nan')):>8.3f}"
                            for k in languages if k != "all")
            out(f"  {intent:<30}{cells}")
    out("\nfallback threshold sweep (accuracy / macro F1 / fallback / wrong), " + " | ".join(
        next(iter(report["threshold_sweep"].values())).keys()) + ":")
    for threshold, row in report["threshold_sweep"].items():
        cells = " | ".join(f"{r['accuracy']:.3f} {r['macro_f1']:.3f} {r['fallback_rate']:.3f} {r['wrong_rate']:.3f}" for r in row.values())
        out(f"  {threshold:>5}  {cells}")
    if report["mode"] == "cross_validation":
        out(f"\ntraining seconds per fold: {report['train_seconds_per_fold']}")
    else:
        out(f"\n{len(report['errors'])} held-out messages misread; model: {report.get('model') or 'trained on all data'}")


def markdown(report: dict) -> str:
    def esc(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    title = ("NLU cross-validation" if report["mode"] == "cross_validation" else "NLU held-out evaluation")
    lines = [f"# {title}", ""]
    if report["mode"] == "cross_validation":
        lines.append(f"{report['folds']}-fold stratified cross-validation (seed {report['seed']}), config `{report['config']}`, "
                     f"training {sum(report['train_seconds_per_fold']) / len(report['train_seconds_per_fold']):.0f} s a fold.")
    else:
        source = f"model `{report['model']}`" if report.get("model") else \
            f"a model trained on all of nlu_data/nlu with `{report['config']}` ({report['train_seconds']:.0f} s)"
        lines.append(f"Held-out files {', '.join(f'`{f}`' for f in report['heldout'])}, {source}.")
    lines += ["", "Accuracy counts a fallback (`nlu_fallback`) as an error; a `faq/<key>` example is right for the intent "
              "when the classifier says `faq`. Top-1: the top intent before the fallback.", "",
              "| Language | Examples | Accuracy | Macro F1 | Weighted F1 | Fallback rate | Wrong rate | Top-1 | Response selector |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for language, row in report["languages"].items():
        if not row["examples"]:
            continue
        selector = row.get("response_selector")
        rs = f"{selector['accuracy']:.3f} ({selector['examples']})" if selector else "–"
        lines.append(f"| {language} | {row['examples']} | {row['accuracy']:.3f} | {row['macro_f1']:.3f} | {row['weighted_f1']:.3f} "
                     f"| {row['fallback_rate']:.3f} | {row['wrong_rate']:.3f} | {row['top_intent_accuracy']:.3f} | {rs} |")
    for language, row in report["languages"].items():
        if language == "all" or not row["examples"]:
            continue
        lines += ["", f"## {language}", "", "Lowest F1:", "", "| Intent | F1 | Precision | Recall | Support | Fell back |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {i['intent']} | {i['f1']:.3f} | {i['precision']:.3f} | {i['recall']:.3f} | {i['support']} | {i['fallbacks']} |"
                  for i in row["lowest_f1"]]
        lines += ["", "Top confusions (fallbacks are not pairs: the last column is how many of the gold intent fell back):", "",
                  "| Gold | Predicted | Count | Gold fell back / support |", "| --- | --- | --- | --- |"]
        lines += [f"| {c['gold']} | {c['predicted']} | {c['count']} | {c['gold_fallbacks']} / {c['gold_support']} |"
                  for c in row["confusions"]] or ["| – | – | – | – |"]
        lines += ["", f"Fallback rate {row['fallback_rate']:.3f}; by gold intent: "
                  + (", ".join(f"{k} {v}" for k, v in row["fallbacks_by_intent"].items()) or "none") + "."]
        selector = row.get("response_selector")
        if selector:
            lines += ["", f"Response selector on {selector['examples']} `faq/<key>` examples ({selector['keys']} keys): accuracy "
                      f"{selector['accuracy']:.3f}; intent `faq` and the right answer {selector['end_to_end_accuracy']:.3f}."]
    lines += ["", "## Fallback threshold sweep", "", "Accuracy / macro F1 / fallback rate / wrong rate, from the same predictions.", "",
              "| Threshold | " + " | ".join(next(iter(report["threshold_sweep"].values())).keys()) + " |",
              "| --- |" + " --- |" * len(next(iter(report["threshold_sweep"].values())))]
    for threshold, row in report["threshold_sweep"].items():
        lines.append(f"| {threshold} | " + " | ".join(
            f"{r['accuracy']:.3f} / {r['macro_f1']:.3f} / {r['fallback_rate']:.3f} / {r['wrong_rate']:.3f}" for r in row.values()) + " |")
    errors = report["errors"]
    shown = errors if report["mode"] == "heldout" else errors[:40]
    lines += ["", f"## Misread messages ({len(errors)}" + ("" if len(shown) == len(errors) else f", first {len(shown)}; all in the JSON") + ")",
              "", "| Lang | Text | Gold | Predicted | Confidence | Top before fallback |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {e['language']} | {esc(e['text'])} | {e.get('gold_key') or e['gold']} | {e['predicted']} | {e['confidence']:.2f} "
              f"| {e['top']} {e['top_confidence']:.2f} |" for e in shown]
    if report.get("selector_errors"):
        lines += ["", f"## Response selector misses ({len(report['selector_errors'])})", "", "| Lang | Text | Gold | Selected |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| {e['language']} | {esc(e['text'])} | {e['gold_key']} | {e['selector_key']} |" for e in report["selector_errors"]]
    return "\n".join(lines) + "\n"


def quiet_rasa() -> None:
    """Rasa's per-message debug lines (stdlib logging and structlog, the latter on stdout) would bury the table."""
    import logging

    import structlog

    logging.disable(logging.INFO)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
                        logger_factory=structlog.PrintLoggerFactory(sys.stderr))


def main() -> None:
    quiet_rasa()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON report (a .md beside it); default results/nlu_eval.json, results/nlu_heldout.json with --heldout")
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "config.yml", help="to compare settings")
    parser.add_argument("--heldout", type=Path, help="a folder of held-out files named by language (en.yml, zh.yml), or one file")
    parser.add_argument("--model", type=Path, help="with --heldout: evaluate this model instead of training one")
    parser.add_argument("--json", dest="json_out", help="'-' prints the JSON report alone on stdout (no files unless --out)")
    args = parser.parse_args()
    if args.model and not args.heldout:
        parser.error("--model goes with --heldout")
    if args.model and not args.model.exists():
        parser.error(f"no model at {args.model}")
    to_stdout = args.json_out == "-"
    # Rasa prints some lines to stdout; with --json - stdout carries the JSON only.
    with contextlib.redirect_stdout(sys.stderr) if to_stdout else contextlib.nullcontext():
        if args.heldout:
            report = asyncio.run(heldout(args.heldout.resolve(), args.model, args.config))
        else:
            report = asyncio.run(cross_validate(args.folds, args.seed, args.config))
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if to_stdout:
        sys.stdout.write(text + "\n")
    elif args.json_out:
        Path(args.json_out).write_text(text)
    out = args.out or (None if to_stdout else ROOT / "results" / ("nlu_heldout.json" if args.heldout else "nlu_eval.json"))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        out.with_suffix(".md").write_text(markdown(report))
    if not to_stdout:
        print_report(report)
        if out:
            print(f"\nwrote {out} and {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
