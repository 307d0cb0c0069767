"""5-fold cross-validation of the NLU model, intent F1 per language (run in the Rasa env).

Folds are stratified by intent; each fold trains on 4/5 of the examples with config/config.yml
and parses the held-out 1/5 with the whole pipeline, FallbackClassifier included, so an example
that falls back counts as an error, as the user would experience it. A message is Chinese when it
contains a CJK character. Prints a table and writes results/nlu_eval.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sklearn.metrics import f1_score, precision_recall_fscore_support

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def language_of(text: str) -> str:
    return "zh" if CJK.search(text) else "en"


def stratified_folds(examples, folds: int, seed: int):
    by_intent = defaultdict(list)
    for example in examples:
        by_intent[example.get("intent")].append(example)
    assignment = [[] for _ in range(folds)]
    rng = random.Random(seed)
    for intent in sorted(by_intent):
        group = by_intent[intent]
        rng.shuffle(group)
        for index, example in enumerate(group):
            assignment[index % folds].append(example)
    return assignment


async def evaluate(folds: int, seed: int, out: Path, config: Path) -> dict:
    from rasa.model_training import train_nlu
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(ROOT / "nlu_data" / "nlu"))
    examples = [e for e in data.intent_examples]
    parts = stratified_folds(examples, folds, seed)
    gold, predicted, rankings, languages, seconds, texts = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(folds):
            train = [e for i, part in enumerate(parts) if i != index for e in part]
            fold_data = TrainingData(training_examples=train, entity_synonyms=data.entity_synonyms,
                                     regex_features=data.regex_features, lookup_tables=data.lookup_tables)
            train_file = Path(tmp) / f"train-{index}.yml"
            RasaYAMLWriter().dump(str(train_file), fold_data)
            started = time.monotonic()
            model = train_nlu(str(config), str(train_file), tmp, fixed_model_name=f"fold-{index}")
            seconds.append(time.monotonic() - started)
            agent = Agent.load(model)
            for example in parts[index]:
                parsed = await agent.parse_message(example.get("text"))
                gold.append(example.get("intent"))
                predicted.append(parsed["intent"]["name"])
                ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
                rankings.append((ranking[0]["name"], ranking[0]["confidence"]) if ranking else ("", 0.0))
                languages.append(language_of(example.get("text")))
                texts.append(example.get("text"))
            print(f"fold {index + 1}/{folds}: trained in {seconds[-1]:.0f} s, {len(parts[index])} held out", flush=True)
    report = {"config": str(config), "folds": folds, "seed": seed, "train_seconds_per_fold": [round(s, 1) for s in seconds], "languages": {}}
    for language in ("en", "zh", "all"):
        idx = [i for i, lang in enumerate(languages) if language in (lang, "all")]
        g = [gold[i] for i in idx]
        p = [predicted[i] for i in idx]
        labels = sorted(set(g))
        prec, rec, f1, support = precision_recall_fscore_support(g, p, labels=labels, zero_division=0)
        report["languages"][language] = {
            "examples": len(idx),
            "accuracy": round(sum(a == b for a, b in zip(g, p)) / len(idx), 4),
            "macro_f1": round(f1_score(g, p, labels=labels, average="macro", zero_division=0), 4),
            "weighted_f1": round(f1_score(g, p, labels=labels, average="weighted", zero_division=0), 4),
            "fallback_rate": round(sum(x == "nlu_fallback" for x in p) / len(idx), 4),
            "per_intent_f1": {label: round(float(score), 3) for label, score in zip(labels, f1)},
        }
    # What other fallback thresholds would give, from the same predictions.
    report["threshold_sweep"] = {}
    for threshold in (0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6):
        row = {}
        for language in ("en", "zh"):
            idx = [i for i, lang in enumerate(languages) if lang == language]
            final = [rankings[i][0] if rankings[i][1] >= threshold else "nlu_fallback" for i in idx]
            g = [gold[i] for i in idx]
            row[language] = {
                "accuracy": round(sum(a == b for a, b in zip(g, final)) / len(idx), 4),
                "macro_f1": round(f1_score(g, final, labels=sorted(set(g)), average="macro", zero_division=0), 4),
                "fallback_rate": round(final.count("nlu_fallback") / len(idx), 4),
                "wrong_rate": round(sum(a != b and b != "nlu_fallback" for a, b in zip(g, final)) / len(idx), 4),
            }
        report["threshold_sweep"][str(threshold)] = row
    # The held-out messages read wrongly, to see which intents blur into which.
    report["errors"] = [{"text": t, "gold": g, "predicted": p, "top": r[0], "confidence": round(r[1], 3)}
                        for t, g, p, r in zip(texts, gold, predicted, rankings) if g != p]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report


def main() -> None:
    import logging

    logging.disable(logging.INFO)  # Rasa's per-message debug lines would bury the table
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu_eval.json")
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "config.yml", help="to compare settings")
    args = parser.parse_args()
    report = asyncio.run(evaluate(args.folds, args.seed, args.out, args.config))
    print(f"\n{'language':<9}{'examples':>9}{'accuracy':>10}{'macro F1':>10}{'weighted F1':>13}{'fallback':>10}")
    for language, row in report["languages"].items():
        print(f"{language:<9}{row['examples']:>9}{row['accuracy']:>10.3f}{row['macro_f1']:>10.3f}"
              f"{row['weighted_f1']:>13.3f}{row['fallback_rate']:>10.3f}")
    print("\nper-intent F1 (en / zh):")
    for intent in report["languages"]["all"]["per_intent_f1"]:
        en = report["languages"]["en"]["per_intent_f1"].get(intent, float("nan"))
        zh = report["languages"]["zh"]["per_intent_f1"].get(intent, float("nan"))
        print(f"  {intent:<30}{en:>7.3f}{zh:>8.3f}")
    print("\nfallback threshold sweep (accuracy / macro F1 / fallback / wrong), en | zh:")
    for threshold, row in report["threshold_sweep"].items():
        cells = " | ".join(f"{r['accuracy']:.3f} {r['macro_f1']:.3f} {r['fallback_rate']:.3f} {r['wrong_rate']:.3f}" for r in row.values())
        print(f"  {threshold:>5}  {cells}")
    print(f"\ntraining seconds per fold: {report['train_seconds_per_fold']}")


if __name__ == "__main__":
    main()
