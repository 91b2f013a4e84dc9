"""The personalised summary of a self-assessment as Markdown: per theme the result, the notes, the
gaps and what to read, fit to print or to send to a board."""

from __future__ import annotations

from kb.records import countries
from kb.records.framework import get_framework
from kb.assess.recommend import GapsReport

STATUS = {
    "comprehensive": {"fr": "approche globale : toutes les cases sont cochées",
                      "en": "comprehensive approach: every box is ticked"},
    "improve": {"fr": "l'aide apportée reste à améliorer", "en": "support still to improve"},
    "rethink": {"fr": "une réflexion en profondeur s'impose", "en": "a deep rethink is needed"},
    "not-applicable": {"fr": "sans objet", "en": "not applicable"},
}
TEXT = {
    "title": {"fr": "Résumé personnalisé de l'auto-évaluation", "en": "Personalised self-assessment summary"},
    "org": {"fr": "Organisation", "en": "Organisation"},
    "country": {"fr": "Pays", "en": "Country"},
    "overview": {"fr": "Vue d'ensemble", "en": "Overview"},
    "theme": {"fr": "Thématique", "en": "Theme"},
    "result": {"fr": "Résultat", "en": "Result"},
    "reading": {"fr": "Lecture", "en": "Reading"},
    "notes": {"fr": "Notes", "en": "Notes"},
    "gaps": {"fr": "À renforcer", "en": "To strengthen"},
    "read": {"fr": "À lire", "en": "What to read"},
    "none": {"fr": "Aucun manque : toutes les cases applicables sont cochées.",
             "en": "No gaps: every applicable box is ticked."},
    "general": {"fr": "Liste de vérification générale", "en": "General checklist"},
    "top": {"fr": "Les pratiques les plus utiles pour vous", "en": "The practices most useful to you"},
    "covers": {"fr": "répond à", "en": "answers"},
    "na": {"fr": "sans objet", "en": "not applicable"},
    "g_ticked": {"fr": "coché", "en": "ticked"},
    "g_implied": {"fr": "déduit : tous les éléments qu'il résume sont cochés",
                  "en": "implied: every item it sums up is ticked"},
    "g_open": {"fr": "non coché", "en": "not ticked"},
    "progress": {"fr": "Progrès depuis l'évaluation précédente", "en": "Progress since the earlier assessment"},
    "then_now": {"fr": "Avant → maintenant", "en": "Then → now"},
    "newly_done": {"fr": "Nouvellement faits", "en": "Newly done"},
    "no_longer": {"fr": "Plus cochés", "en": "No longer ticked"},
    "still_gaps": {"fr": "Manques toujours ouverts", "en": "Gaps still open"},
    "newly_open": {"fr": "Nouveaux manques (sans objet auparavant)", "en": "New gaps (not applicable before)"},
    "none_item": {"fr": "aucun", "en": "none"},
    "respondent": {"fr": "Répondant", "en": "Respondent"},
    "date": {"fr": "Date", "en": "Date"},
    "still_open": {"fr": "vous l'avez coché ; ces éléments qu'il résume sont encore ouverts : {}",
                   "en": "you ticked it; these items it sums up are still open: {}"},
}


def general_lines(report: GapsReport, lang: str) -> list[str]:
    """One line per general-checklist item: ticked, implied or not, and the open items a ticked one covers."""
    t = {k: v[lang] for k, v in TEXT.items()}
    out = []
    for g in report.general:
        state = t["g_ticked"] if g.ticked else t["g_implied"] if g.implied else t["g_open"]
        mark = "x" if g.done else " "
        out.append(f"- [{mark}] **{g.item}** {g.text[lang]} — {state}")
        if g.still_open:
            out.append(f"  - ⚠ {t['still_open'].format(', '.join(g.still_open))}")
    return out


def progress_lines(report: GapsReport, lang: str) -> list[str]:
    """The progress section: per theme then -> now with the guide's reading, and the items that changed."""
    p = report.progress
    if p is None:
        return []
    t = {k: v[lang] for k, v in TEXT.items()}
    when = " → ".join(str(d) if d else "?" for d in (p.since_date, p.date)) if (p.since_date or p.date) else ""
    out = [f"## {t['progress']}" + (f" ({when})" if when else ""), "",
           f"| {t['theme']} | {t['then_now']} | {t['reading']} |", "|---|---|---|"]
    for th in p.themes:
        sign = f" ({th.delta:+d})" if th.delta else ""
        reading = STATUS[th.status_now][lang] if th.status_now == th.status_then else \
            f"{STATUS[th.status_then][lang]} → {STATUS[th.status_now][lang]}"
        out.append(f"| {th.theme}. {th.title[lang]} | {th.ticked_then}/{th.total_then} → {th.ticked_now}/{th.total_now}{sign} | {reading} |")
    out.append("")
    for key, items in (("newly_done", p.newly_done), ("no_longer", p.no_longer_done), ("still_gaps", p.still_open),
                       ("newly_open", p.newly_open)):
        if key == "newly_open" and not items:
            continue
        out.append(f"- **{t[key]}** ({len(items)}) : {', '.join(items) or t['none_item']}" if lang == "fr"
                   else f"- **{t[key]}** ({len(items)}): {', '.join(items) or t['none_item']}")
    return out + [""]


def markdown(report: GapsReport, lang: str = "fr", per_gap: int = 3) -> str:
    """The report as a Markdown document in ``lang``."""
    lang = "en" if lang == "en" else "fr"
    fw = get_framework()
    t = {k: v[lang] for k, v in TEXT.items()}
    out = [f"# {t['title']}", ""]
    if report.organisation:
        out.append(f"**{t['org']}** : {report.organisation}  " if lang == "fr" else f"**{t['org']}:** {report.organisation}  ")
    if report.country:
        name = countries.name(report.country, lang)
        out.append(f"**{t['country']}** : {name}" if lang == "fr" else f"**{t['country']}:** {name}")
    for key, value in (("respondent", report.respondent), ("date", report.date)):
        if value:
            out.append(f"**{t[key]}** : {value}  " if lang == "fr" else f"**{t[key]}:** {value}  ")
    out += [""] + progress_lines(report, lang)
    out += [f"## {t['overview']}", "", f"| {t['theme']} | {t['result']} | {t['reading']} |", "|---|---|---|"]
    for th in report.themes:
        result = f"{th.ticked}/{th.total}" + (f" ({th.not_applicable} {t['na']})" if th.not_applicable else "")
        out.append(f"| {th.theme}. {th.title[lang]} | {result} | {STATUS[th.status][lang]} |")
    ticked_general = sum(1 for g in report.general if g.done)
    out += ["", f"{t['general']} : {ticked_general}/{len(report.general)}" if lang == "fr"
            else f"{t['general']}: {ticked_general}/{len(report.general)}", ""]
    gaps_by_theme: dict[int, list] = {}
    for gap in report.gaps:
        gaps_by_theme.setdefault(gap.theme, []).append(gap)
    for th in report.themes:
        out += [f"## {th.theme}. {th.title[lang]}", "",
                f"**{th.ticked}/{th.total}** — {STATUS[th.status][lang]}.", ""]
        if th.note:
            out += [f"> {t['notes']} : {th.note}" if lang == "fr" else f"> {t['notes']}: {th.note}", ""]
        gaps = gaps_by_theme.get(th.theme, [])
        if not gaps:
            out += [t["none"], ""]
            continue
        out += [f"### {t['gaps']}", ""]
        for gap in gaps:
            out.append(f"- **{gap.item}** {gap.text[lang]}")
            for rec in gap.recommendations[:per_gap]:
                where = f", {countries.name(rec.country, lang)}" if rec.country else ""
                out.append(f"  - {rec.title[lang]} (`{rec.id}`{where}) — {'; '.join(rec.reasons)}")
        out.append("")
    out += [f"## {t['general']}", ""]
    if report.general_note:
        out += [f"> {report.general_note}", ""]
    out += general_lines(report, lang) + [""]
    out += [f"## {t['top']}", ""]
    for n, rec in enumerate(report.recommendations, start=1):
        where = f" — {', '.join(x for x in (rec.place, countries.name(rec.country, lang) if rec.country else None) if x)}"
        out.append(f"{n}. **{rec.title[lang]}** (`{rec.id}`){where if rec.country else ''} — "
                   f"{t['covers']} {', '.join(rec.covers)}")
    out.append("")
    del fw
    return "\n".join(out)
