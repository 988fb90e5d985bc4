// SPDX-License-Identifier: GPL-2.0
/*
 * The handout (-o FILE.html): one self-contained page a class can open in
 * any browser with nothing installed: the card (-F) at the top, the
 * timeline picture (-o FILE.svg) inline, and the whole protocol view (-P)
 * below, its folds expandable.  Clicking a row of the card or a step of
 * the protocol marks where it happened on the timeline; hovering a band
 * shows what ran.  Inline CSS, SVG and a little plain JavaScript; no
 * network, no fonts, no scripts from elsewhere.
 *
 * Bounded: the picture is (see lde_render_svg.c), a fold shows its first
 * FOLD_SHOWN steps, and the protocol stops at PROTOCOL_MAX bytes, saying
 * how many steps it left out.
 *
 * For tests, the page selects what its URL's fragment names
 * (#select=row3, #select=step-12) and writes the selection, and any
 * script error, into the DOM (#selection's data-* attributes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lde_render.h"
#include "lde_story.h"
#include "lde_svg.h"
#include "lde_view.h"

#define FOLD_SHOWN	40
#define PROTOCOL_MAX	(2 << 20)
#define ROWS_MAX	(LDE_EVENT_TEXT_MAX * 4)

/* A step told by the story, its fate (shown, folded) not known yet. */
struct told {
	unsigned long number;
	char *html;
};

struct html_view {
	const char *path;
	struct lde_view_env env;
	struct lde_card *card;
	struct lde_svg *svg;
	struct lde_story *story;
	struct lde_protocol *layout;
	/* The protocol section, built as the story is told. */
	char *protocol;
	size_t protocol_len;
	FILE *out;
	bool cut;			/* PROTOCOL_MAX reached */
	unsigned long steps_cut;
	struct told told[FOLD_SHOWN];
	int ntold;
	char rows[ROWS_MAX];
};

static void html_text(FILE *f, const char *s, size_t n)
{
	lde_markup_text(f, s, n, '\n');
}

/* A step's rows as -P draws them, in a block the page can select. */
static char *step_html(struct html_view *v, const struct lde_step *s)
{
	struct lde_line l;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	lde_line_start(&l, v->rows, sizeof(v->rows));
	lde_protocol_draw_step(v->layout, &l, s);
	fprintf(f, "<div class=\"step\" id=\"step-%lu\" data-t0=\"%llu\" data-t1=\"%llu\" data-cpu=\"%u\"><pre>",
		s->number, s->ev[0].ts_ns - v->env.start_ns,
		s->ev[s->n - 1].ts_ns - v->env.start_ns, s->ev[0].cpu);
	html_text(f, l.buf, lde_line_len(&l));
	fputs("</pre></div>\n", f);
	fclose(f);
	return buf;
}

static bool room(struct html_view *v)
{
	if (!v->cut && ftell(v->out) > PROTOCOL_MAX)
		v->cut = true;
	return !v->cut;
}

static void forget(struct html_view *v, unsigned long from, unsigned long to,
		   FILE *keep)
{
	int i, j = 0;

	for (i = 0; i < v->ntold; i++) {
		struct told *t = &v->told[i];

		if (t->number >= from && t->number <= to) {
			if (keep)
				fputs(t->html, keep);
			free(t->html);
			continue;
		}
		v->told[j++] = *t;
	}
	v->ntold = j;
}

/* Every step: kept for the fold it may fall in. */
static void told_step(void *arg, const struct lde_step *s)
{
	struct html_view *v = arg;

	if (v->ntold == FOLD_SHOWN || v->cut)
		return;
	v->told[v->ntold].html = step_html(v, s);
	if (v->told[v->ntold].html)
		v->told[v->ntold++].number = s->number;
}

static void shown_step(void *arg, const struct lde_step *s)
{
	struct html_view *v = arg;
	char *html;

	forget(v, s->number, s->number, NULL);
	if (!room(v)) {
		v->steps_cut++;
		return;
	}
	html = step_html(v, s);
	if (html)
		fputs(html, v->out);
	free(html);
}

static void folded_steps(void *arg, const struct lde_fold *fold)
{
	struct html_view *v = arg;
	struct lde_line l;
	int before = v->ntold;

	if (!room(v)) {
		v->steps_cut += fold->steps;
		forget(v, fold->first, fold->last, NULL);
		return;
	}
	lde_line_start(&l, v->rows, sizeof(v->rows));
	lde_protocol_draw_fold(v->layout, &l, fold);
	/*
	 * fold-N, not step-N: the fold's first step is drawn inside it with
	 * that id, and an id names one element (#select=step-N, a card
	 * row's link).
	 */
	fprintf(v->out, "<details class=\"fold step\" id=\"fold-%lu\" data-t0=\"%llu\" data-t1=\"%llu\"><summary><pre>",
		fold->first, fold->first_ns - v->env.start_ns,
		fold->last_ns - v->env.start_ns);
	html_text(v->out, l.buf, lde_line_len(&l));
	fputs("</pre></summary>\n", v->out);
	forget(v, fold->first, fold->last, v->out);
	if (fold->steps > before - v->ntold)
		fprintf(v->out, "<p class=\"more\">... and %d more step%s of the kinds above, not shown here (lde-trace -P -A shows each)</p>\n",
			fold->steps - (before - v->ntold),
			fold->steps - (before - v->ntold) > 1 ? "s" : "");
	fputs("</details>\n", v->out);
}

static bool html_wanted(const struct lde_view_env *env)
{
	return lde_view_path_is(env->output_path, ".html");
}

static void html_free(struct html_view *v)
{
	forget(v, 0, -1UL, NULL);
	if (v->out)
		fclose(v->out);
	free(v->protocol);
	lde_card_free(v->card);
	lde_svg_free(v->svg);
	lde_story_free(v->story);
	lde_protocol_free(v->layout);
	free(v);
}

static void *html_start(const struct lde_view_env *env, struct lde_line *out)
{
	struct html_view *v = calloc(1, sizeof(*v));
	struct lde_svg_opts so = { .start_ns = env->start_ns };
	struct lde_protocol_opts po = {
		.width = 132,
		.all = env->all,
		.traps = env->stages & 1U << LDE_STAGE_TRAP,
	};
	struct lde_story_opts sto = { .all = po.all, .traps = po.traps };
	struct lde_story_sink sink = {
		.step = shown_step,
		.fold = folded_steps,
		.each = told_step,
	};
	struct lde_line head;

	if (!v)
		return NULL;
	sink.arg = v;
	v->env = *env;
	v->path = env->output_path;
	v->card = lde_card_new(env);
	v->svg = lde_svg_new(&so);
	v->story = lde_story_new(&sto, &sink);
	v->layout = lde_protocol_new(env->boot, &po);
	v->out = open_memstream(&v->protocol, &v->protocol_len);
	if (!v->card || !v->svg || !v->story || !v->layout || !v->out) {
		html_free(v);
		errno = ENOMEM;
		return NULL;
	}
	/* OS @ boot and the columns' heads, as -P opens. */
	lde_line_start(&head, v->rows, sizeof(v->rows));
	lde_protocol_head(v->layout, &head);
	fputs("<div class=\"head\"><pre>", v->out);
	html_text(v->out, head.buf, lde_line_len(&head));
	fputs("</pre></div>\n", v->out);
	return v;
}

static void html_event(void *state, struct lde_line *out,
		       const struct lde_event *e)
{
	struct html_view *v = state;

	lde_card_event(v->card, e);
	lde_svg_add(v->svg, e);
	lde_story_event(v->story, e);
}

static const char style[] =
"body{font-family:sans-serif;margin:1em;color:#111;max-width:1600px}"
"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}h3{font-size:1em}"
"table.card{border-collapse:collapse;font-size:.85em;width:100%}"
".card td,.card th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}"
".card th{background:#eef}.card td.ev{font-family:monospace;font-size:.95em}"
".card tr.row{cursor:pointer}.card tr.row:hover{background:#fffbe0}"
".card tr.unseen td.ev{color:#888;font-style:italic}"
".selected,.card tr.selected{background:#ffe98a!important;outline:2px solid #e0a800}"
"#timeline svg{width:100%;height:auto;border:1px solid #ddd}"
"#selection{font-family:monospace;min-height:1.2em}"
".proto pre{margin:0;font-size:12px;line-height:1.25}"
".proto .step{cursor:pointer;border-left:3px solid transparent}"
".proto .step:hover{border-left-color:#e0a800}"
"details.fold>summary{list-style:none;color:#555}"
"details.fold>summary::before{content:'\\25B6 fold: click to open';font-size:11px;color:#1f78b4}"
"details.fold[open]>summary::before{content:'\\25BC'}"
"details.fold{background:#f6f6f6}.more{font-size:12px;color:#555;margin:2px 0 6px 2em}"
"rect.highlight{fill:#ffd400;fill-opacity:.35;stroke:#e0a800;stroke-width:2}";

/* Marks on the timeline where the selected row or step happened. */
static const char script[] =
"(function(){\n"
"'use strict';\n"
"var sel=document.getElementById('selection');\n"
"window.addEventListener('error',function(e){sel.setAttribute('data-errors',(sel.getAttribute('data-errors')||'')+e.message+';');});\n"
"var NS='http://www.w3.org/2000/svg';\n"
"function panels(){return document.querySelectorAll('#timeline g.panel');}\n"
"function xOf(p,t){var t0=+p.dataset.t0,t1=+p.dataset.t1,x=+p.dataset.x,w=+p.dataset.w;"
"if(t<t0)t=t0;if(t>t1)t=t1;return x+w*(t-t0)/(t1-t0);}\n"
"function clear(){document.querySelectorAll('.selected').forEach(function(e){e.classList.remove('selected');});"
"document.querySelectorAll('rect.highlight').forEach(function(e){e.remove();});}\n"
"function select(el){if(!el)return;clear();el.classList.add('selected');"
"var t0=+el.dataset.t0,t1=+el.dataset.t1,cpu=el.dataset.cpu,first=null,n=0;"
"if(isNaN(t0)||el.dataset.t0===undefined){sel.textContent=el.id+': not seen in this run, nothing to mark';"
"sel.setAttribute('data-id',el.id);sel.setAttribute('data-marks','0');return;}\n"
"panels().forEach(function(p){var a=+p.dataset.t0,b=+p.dataset.t1;if(t1<a||t0>b)return;"
"var x0=xOf(p,t0),x1=xOf(p,t1),y=+p.dataset.y,h=+p.dataset.h,lane=+p.dataset.lane;"
"if(cpu!==undefined){y+=lane*(+cpu)+14;h=lane-14;}"
"var r=document.createElementNS(NS,'rect');r.setAttribute('class','highlight');"
"r.setAttribute('x',Math.min(x0,x1-1)-2);r.setAttribute('width',Math.max(x1-x0,1)+4);"
"r.setAttribute('y',y);r.setAttribute('height',h);p.appendChild(r);n++;"
"if(!first){first=p;sel.setAttribute('data-x0',x0.toFixed(1));sel.setAttribute('data-x1',x1.toFixed(1));sel.setAttribute('data-panel',p.id);}});\n"
"sel.setAttribute('data-id',el.id);sel.setAttribute('data-marks',String(n));\n"
"sel.textContent=el.id+': '+(t0/1e6).toFixed(3)+' to '+(t1/1e6).toFixed(3)+' ms'+(cpu!==undefined?' on CPU '+cpu:'')+(n?'':' (outside the picture)');\n"
"var tl=document.getElementById('timeline');if(tl&&tl.scrollIntoView&&!location.hash)tl.scrollIntoView({block:'nearest'});}\n"
"document.querySelectorAll('.card tr.row, .proto .step').forEach(function(el){"
"el.addEventListener('click',function(ev){if(ev.target.tagName==='A')return;ev.stopPropagation();select(el);});});\n"
"var m=/^#select=([A-Za-z0-9_-]+)$/.exec(location.hash);if(m){select(document.getElementById(m[1]));}\n"
"sel.setAttribute('data-ready','1');\n"
"})();\n";

static void card_section(FILE *f, struct lde_card *card)
{
	static const char *const heads[3][3] = {
		{ "OS @ boot (kernel mode)", "Hardware", "" },
		{ "OS @ run (kernel mode)", "Hardware", "Program (user mode)" },
		{ "OS @ run (kernel mode)", "Hardware", "Program (user mode)" },
	};
	struct lde_card_row_info r;
	int i, c, figure = -1;

	fputs("<section id=\"card\"><h2>The figures, filled in by this run (lde-trace -F)</h2>\n", f);
	for (i = 0; lde_card_row(card, i, &r); i++) {
		bool seen = strncmp(r.evidence, "not seen", 8);
		int h = r.figure ? r.figure - 1 : 0;

		if (r.figure != figure) {
			if (figure >= 0)
				fputs("</tbody></table>\n", f);
			figure = r.figure;
			fprintf(f, "<h3>%s</h3>\n<table class=\"card\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>this run</th><th>-P</th></tr></thead><tbody>\n",
				figure == 2 ? "Figure 6.2: Limited Direct Execution Protocol" :
				figure == 3 ? "Figure 6.3: Limited Direct Execution Protocol (Timer Interrupt)" :
				"OS @ boot, both figures",
				heads[h][0], heads[h][1], heads[h][2]);
		}
		fprintf(f, "<tr class=\"row%s\" id=\"row%d\"", seen ? "" : " unseen", i);
		if (r.step)
			fprintf(f, " data-t0=\"%llu\" data-t1=\"%llu\" data-cpu=\"%u\" data-step=\"%lu\"",
				r.t0, r.t1, r.cpu, r.step);
		fputs(" title=\"", f);
		html_text(f, r.evidence, strlen(r.evidence));
		fputs("\">", f);
		for (c = 0; c < 3; c++) {
			const char *p;

			fputs("<td>", f);
			if (c == r.column)
				for (p = r.book; *p; p++) {
					if (*p == '\n')
						fputs("<br>", f);
					else
						html_text(f, p, 1);
				}
			fputs("</td>", f);
		}
		fputs("<td class=\"ev\">", f);
		html_text(f, r.evidence, strlen(r.evidence));
		if (r.step)
			fprintf(f, "</td><td><a href=\"#step-%lu\">#%lu</a></td></tr>\n",
				r.step, r.step);
		else
			fprintf(f, "</td><td>%s</td></tr>\n", seen ? "boot" : "-");
	}
	if (figure >= 0)
		fputs("</tbody></table>\n", f);
	fputs("</section>\n", f);
}

static int html_end(void *state, struct lde_line *out,
		    const struct lde_view_end *end)
{
	struct html_view *v = state;
	FILE *f;
	int err = 0;

	lde_story_end(v->story);
	lde_card_finish(v->card);
	forget(v, 0, -1UL, NULL);
	fflush(v->out);
	f = fopen(v->path, "we");
	if (!f) {
		err = -errno;
		goto out;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	      "<title>OSTEP chapter 6 on Linux ", f);
	html_text(f, end->kernel, 64);
	fprintf(f, "</title><style>%s</style></head><body>\n<h1>Limited Direct Execution, live: OSTEP chapter 6 on Linux ",
		style);
	html_text(f, end->kernel, 64);
	fputs("</h1>\n<p>", f);
	html_text(f, end->title, strlen(end->title));
	fputs(". Click a row of the card or a step of the story: the timeline marks where it happened. Hover a band of the timeline: what ran there.</p>\n", f);
	card_section(f, v->card);
	fputs("<section id=\"timeline\"><h2>The timeline (lde-trace -o FILE.svg)</h2>\n"
	      "<p id=\"selection\">Nothing selected.</p>\n", f);
	err = lde_svg_write(v->svg, f, end->title);
	fputs("</section>\n<section id=\"protocol\"><h2>The whole story (lde-trace -P): OS | Hardware | Program</h2>\n<div class=\"proto\">\n",
	      f);
	fwrite(v->protocol, 1, v->protocol_len, f);
	if (v->cut)
		fprintf(f, "<p class=\"more\">... %lu more steps are not in this handout: lde-trace -P shows them.</p>\n",
			v->steps_cut);
	fprintf(f, "</div></section>\n<script>%s</script>\n</body></html>\n",
		script);
	if (ferror(f) && !err)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
out:
	html_free(v);
	return err;
}

const struct lde_view_ops lde_html_view = {
	.name = "the handout (-o FILE.html)",
	.story = true,
	.file = LDE_VIEW_OUTPUT,
	.time_order = true,
	.wanted = html_wanted,
	.start = html_start,
	.event = html_event,
	.end = html_end,
};
