/* Inline SVG charts for the nightly page: a line chart over nights and a
 * horizontal bar chart. Plain SVG elements only (inline in HTML5, so no
 * xmlns and no external reference); every label is HTML-escaped and every
 * point carries a <title> that a browser shows on hover, without script. */
#include <math.h>
#include <stdio.h>

#include "nightly.h"

enum { W = 680, H = 250, ML = 64, MR = 20, MT = 34, MB = 46, BAR_H = 18, BAR_GAP = 5,
       LABEL_W = 230 };

/* A round tick step (1, 2 or 5 times a power of ten) giving about four
 * intervals over range; at least 1 for counts. */
static double nice_step(double range, int integer) {
  double raw = range / 4, mag = pow(10, floor(log10(raw))), f = raw / mag;
  double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  return integer && step < 1 ? 1 : step;
}

/* The axis of every value of every series, widened to whole ticks (a flat
 * line sits in the middle); 0 when there is no value at all. */
static int y_range(const oh_svg_series *s, size_t ns, size_t n, double *lo, double *hi,
                   double *step) {
  size_t i, k;
  int any = 0, integer = 1;
  double min = 0, max = 0;
  for (k = 0; k < ns; k++)
    for (i = 0; i < n; i++) {
      double v = s[k].y[i];
      if (isnan(v)) continue;
      if (!any || v < min) min = v;
      if (!any || v > max) max = v;
      if (v != floor(v)) integer = 0;
      any = 1;
    }
  if (!any) return 0;
  if (max - min < 1e-9) {
    double d = fabs(max) > 10 ? fabs(max) * 0.1 : 1;
    *lo = min - d;
    *hi = max + d;
  } else {
    *lo = min;
    *hi = max;
  }
  if (min >= 0 && *lo < 0) *lo = 0; /* counts and percentages never dip below 0 */
  *step = nice_step(*hi - *lo, integer);
  *lo = floor(*lo / *step) * *step;
  *hi = ceil(*hi / *step) * *step;
  if (*hi - *lo < *step) *hi = *lo + *step;
  return 1;
}

/* Points keep PAD pixels from the plot's left and right edges. */
enum { PAD = 24 };

static double px(size_t i, size_t n) {
  double left = ML + PAD, width = W - ML - MR - 2 * PAD;
  return n <= 1 ? left + width / 2 : left + (double)i * width / (double)(n - 1);
}

static double py(double v, double lo, double hi) {
  return MT + (H - MT - MB) * (1 - (v - lo) / (hi - lo));
}

static void axes(FILE *f, const char *unit, const char *const *xl, size_t n, double lo,
                 double hi, double ystep) {
  size_t i, step = n > 8 ? (n + 7) / 8 : 1;
  int t, ticks = (int)floor((hi - lo) / ystep + 0.5);
  char buf[32];
  for (t = 0; t <= ticks; t++) {
    double v = lo + ystep * t, y = py(v, lo, hi);
    fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", ML, y,
            W - MR, y);
    fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"ylab\">%s</text>", ML - 6, y + 4,
            oh_nightly_fmt_count(v, buf, sizeof buf));
  }
  fprintf(f, "<text x=\"12\" y=\"%d\" class=\"unit\">", MT - 10);
  oh_nightly_esc(f, unit);
  fputs("</text>", f);
  for (i = 0; i < n; i += step) {
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xlab\">", px(i, n), H - MB + 16);
    oh_nightly_esc(f, xl[i]);
    fputs("</text>", f);
  }
}

static void series_line(FILE *f, const oh_svg_series *s, const char *const *xl, size_t n,
                        double lo, double hi) {
  size_t i;
  int open = 0;
  char buf[32];
  for (i = 0; i < n; i++) {
    if (isnan(s->y[i])) {
      if (open) fputs("\"/>", f);
      open = 0;
      continue;
    }
    if (!open) fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", s->color);
    fprintf(f, "%s%.1f,%.1f", open ? " " : "", px(i, n), py(s->y[i], lo, hi));
    open = 1;
  }
  if (open) fputs("\"/>", f);
  for (i = 0; i < n; i++) {
    if (isnan(s->y[i])) continue;
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>", px(i, n),
            py(s->y[i], lo, hi), s->color);
    oh_nightly_esc(f, s->name);
    fputs(" ", f);
    oh_nightly_esc(f, xl[i]);
    fprintf(f, ": %s</title></circle>", oh_nightly_fmt_count(s->y[i], buf, sizeof buf));
  }
}

static void legend(FILE *f, const oh_svg_series *s, size_t ns) {
  size_t k;
  double x = ML;
  for (k = 0; k < ns; k++) {
    fprintf(f, "<rect x=\"%.0f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, H - 16,
            s[k].color);
    fprintf(f, "<text x=\"%.0f\" y=\"%d\" class=\"leg\">", x + 16, H - 6);
    oh_nightly_esc(f, s[k].name);
    fputs("</text>", f);
    x += 30 + 7.5 * (double)snprintf(NULL, 0, "%s", s[k].name);
  }
}

void oh_svg_line_chart(FILE *f, const char *id, const char *title, const char *unit,
                       const char *const *xlabels, size_t n, const oh_svg_series *series,
                       size_t nseries) {
  double lo = 0, hi = 0, ystep = 1;
  size_t k;
  fprintf(f, "<svg id=\"%s\" class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
          "role=\"img\" aria-label=\"", id, W, H, W, H);
  oh_nightly_esc(f, title);
  fprintf(f, "\"><text x=\"%d\" y=\"16\" class=\"title\">", W / 2);
  oh_nightly_esc(f, title);
  fputs("</text>", f);
  if (!n || !y_range(series, nseries, n, &lo, &hi, &ystep)) {
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"title\">no data yet</text></svg>\n", W / 2, H / 2);
    return;
  }
  axes(f, unit, xlabels, n, lo, hi, ystep);
  for (k = 0; k < nseries; k++) series_line(f, &series[k], xlabels, n, lo, hi);
  legend(f, series, nseries);
  fputs("</svg>\n", f);
}

void oh_svg_bar_chart(FILE *f, const char *id, const char *title, const char *unit,
                      const char *const *labels, const double *values, size_t n) {
  size_t i;
  double max = 0;
  int h = MT + (int)n * (BAR_H + BAR_GAP) + 10, bw = W - LABEL_W - MR - 70;
  char buf[32];
  for (i = 0; i < n; i++)
    if (!isnan(values[i]) && values[i] > max) max = values[i];
  fprintf(f, "<svg id=\"%s\" class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
          "role=\"img\" aria-label=\"", id, W, h, W, h);
  oh_nightly_esc(f, title);
  fprintf(f, "\"><text x=\"%d\" y=\"16\" class=\"title\">", W / 2);
  oh_nightly_esc(f, title);
  fputs(" (", f);
  oh_nightly_esc(f, unit);
  fputs(")</text>", f);
  for (i = 0; i < n; i++) {
    int y = MT + (int)i * (BAR_H + BAR_GAP);
    double w = max > 0 && !isnan(values[i]) ? bw * values[i] / max : 0;
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"blab\">", LABEL_W - 6, y + BAR_H - 5);
    oh_nightly_esc(f, labels[i]);
    fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"bar\"><title>",
            LABEL_W, y, w, BAR_H);
    oh_nightly_esc(f, labels[i]);
    fprintf(f, ": %s</title></rect>", oh_nightly_fmt_count(values[i], buf, sizeof buf));
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"bval\">%s</text>", LABEL_W + w + 4,
            y + BAR_H - 5, buf);
  }
  fputs("</svg>\n", f);
}
