/* Predicts, from (sample rate, frame size) alone, the band layout libopus
 * 1.3.1's opus_custom_mode_create gives an Opus Custom mode (celt/modes.c:
 * the built-in 48 kHz mode, the LM / short-block choice, compute_ebands and
 * the effEBands cut), so the custom fuzz target can tell which modes reach
 * two known decoder defects without decoding with them. The band layout is
 * integer arithmetic, the same in float and fixed-point builds; the model
 * does not cover frame sizes whose FFT fails (a prime factor above 5) nor
 * allocation failures. Written from a reading of modes.c, not copied. */
#ifndef OH_FUZZ_CUSTOM_MODES_H
#define OH_FUZZ_CUSTOM_MODES_H

/* The most bands the model keeps room for; real layouts have at most 30. */
#define CU_MODE_MAX_BANDS 48

typedef struct cu_mode_shape {
  int builtin;     /* the static 48 kHz / 2.5 ms mode is returned */
  int lm;          /* maxLM: the frame is 2^lm short blocks */
  int short_mdct;  /* shortMdctSize, samples per short block */
  int nb_ebands;   /* nbEBands */
  int eff_ebands;  /* effEBands: the bands that end within a short block */
  int ebands[CU_MODE_MAX_BANDS + 2]; /* band edges, nb_ebands + 1 used */
} cu_mode_shape;

/* The Bark scale edges (Hz) modes.c splits custom modes along. */
static const short cu_bark_hz[26] = {
    0,    100,  200,  300,  400,  510,  630,  770,  920,  1080, 1270, 1480,  1720,
    2000, 2320, 2700, 3150, 3700, 4400, 5300, 6400, 7700, 9500, 12000, 15500, 20000};

/* The 2.5 ms short-block layout (eband5ms), in MDCT bins of a 120-bin block. */
static const short cu_bands_2_5ms[22] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  10, 12,
                                         14, 16, 20, 24, 28, 34, 40, 48, 60, 78, 100};

/* cu_mode_edges' answer when libopus's own consistency assertions fail. */
#define CU_EDGES_ASSERT (-2)

/* compute_ebands: the band edges of a custom mode whose short blocks have
 * `bins` MDCT bins at `fs` Hz, `res` Hz per bin pair. Returns the band count,
 * -1 when it would not fit the model's table, or CU_EDGES_ASSERT. */
static inline int cu_mode_edges(long fs, int bins, int res, int *e) {
  int nbark, lin, low, high, n, i, kept, offset = 0;
  if (fs == 400L * bins) { /* 2.5 ms short blocks: the fixed layout */
    for (i = 0; i < 22; i++) e[i] = cu_bands_2_5ms[i];
    return 21;
  }
  /* the Bark bands below Nyquist */
  for (nbark = 1; nbark < 25 && 2L * cu_bark_hz[nbark + 1] < fs; nbark++) {
  }
  /* bands one bin pair wide until the Bark bands get wider than that */
  for (lin = 0; lin < nbark && cu_bark_hz[lin + 1] - cu_bark_hz[lin] < res; lin++) {
  }
  low = (cu_bark_hz[lin] + res / 2) / res;
  high = nbark - lin;
  n = low + high;
  if (n < 1 || n > CU_MODE_MAX_BANDS) return -1;
  for (i = 0; i < low; i++) e[i] = i;
  if (low > 0) offset = e[low - 1] * res - cu_bark_hz[lin - 1];
  for (i = 0; i < high; i++) { /* Bark edges rounded to even bins, error carried */
    int hz = cu_bark_hz[lin + i];
    e[low + i] = (hz + offset / 2 + res) / (2 * res) * 2;
    offset = e[low + i] * res - hz;
  }
  for (i = 0; i < n; i++)
    if (e[i] < i) e[i] = i;
  e[n] = (cu_bark_hz[nbark] + res) / (2 * res) * 2;
  if (e[n] > bins) e[n] = bins;
  for (i = 1; i < n - 1; i++) /* a band no wider than the next: move its edge */
    if (e[i + 1] - e[i] < e[i] - e[i - 1]) e[i] -= (2 * e[i] - e[i - 1] - e[i + 1]) / 2;
  for (i = kept = 0; i < n; i++) /* drop empty bands */
    if (e[i + 1] > e[kept]) e[++kept] = e[i + 1];
  /* modes.c then asserts that no band is wider than the last one and none
   * more than twice the one before; 1.3.1 aborts on legal parameters where
   * this fails (e.g. 9192 Hz / 48: corpus/known-bugs/custom). */
  for (i = 1; i < kept; i++)
    if (e[i] - e[i - 1] > e[kept] - e[kept - 1] || e[i + 1] - e[i] > 2 * (e[i] - e[i - 1]))
      return CU_EDGES_ASSERT;
  return kept;
}

/* cu_mode_predict's answer when opus_custom_mode_create would abort the
 * process on an assertion in compute_ebands (assertions are on by default,
 * Debian's libopus0 included). */
#define CU_MODE_CREATE_ABORTS 2

/* Fills *s with the mode opus_custom_mode_create(fs, frame) makes. Returns 1
 * when it makes one, 0 when it refuses (OPUS_BAD_ARG, or OPUS_ALLOC_FAIL for
 * a top band too wide for the PVQ tables), CU_MODE_CREATE_ABORTS, or -1 when
 * the model cannot tell. */
static inline int cu_mode_predict(long fs, int frame, cu_mode_shape *s) {
  int lm, res, n;
  if (fs == 48000 && (frame == 120 || frame == 240 || frame == 480 || frame == 960)) {
    s->builtin = 1;
    s->lm = 3;
    s->short_mdct = 120;
    for (n = 0; n < 22; n++) s->ebands[n] = cu_bands_2_5ms[n];
    s->nb_ebands = s->eff_ebands = 21;
    return 1;
  }
  if (fs < 8000 || fs > 96000 || frame < 40 || frame > 1024 || frame % 2 != 0 ||
      frame * 1000L < fs)
    return 0;
  if (frame * 75L >= fs && frame % 16 == 0)
    lm = 3;
  else if (frame * 150L >= fs && frame % 8 == 0)
    lm = 2;
  else if (frame * 300L >= fs && frame % 4 == 0)
    lm = 1;
  else
    lm = 0;
  if ((frame >> lm) * 300L > fs) return 0; /* short blocks above 3.3 ms */
  s->builtin = 0;
  s->lm = lm;
  s->short_mdct = frame >> lm;
  res = (int)((fs + s->short_mdct) / (2 * s->short_mdct));
  n = cu_mode_edges(fs, s->short_mdct, res, s->ebands);
  if (n == CU_EDGES_ASSERT) return CU_MODE_CREATE_ABORTS;
  if (n < 1) return -1;
  s->nb_ebands = n;
  if ((s->ebands[n] - s->ebands[n - 1]) << lm > 208) return 0;
  for (s->eff_ebands = n; s->eff_ebands > 0 && s->ebands[s->eff_ebands] > s->short_mdct;)
    s->eff_ebands--;
  return 1;
}

/* The known 1.3.1 decoder defects a mode of shape s reaches. */
enum {
  CU_MODE_OK = 0,
  /* more than 21 coded bands: every decode call aborts on st->end <= 21 in
   * validate_celt_decoder (end starts at effEBands) */
  CU_MODE_WIDE = 1,
  /* quant_all_bands (bands.c) puts the decoder's fold scratch at
   * X + M*eBands[nbEBands - 1] and copies into it the fold source of every
   * coded band but the last (bands 0 .. effEBands - 2 when a packet codes
   * them all); X holds M*shortMdctSize per coded channel, so a mono-coded
   * packet can write past X when that start plus the widest such band
   * exceeds shortMdctSize (quant_band, bands.c:1146). Only the 2.5 ms layout
   * has bands past the short block: it overflows below 90 bins (36 kHz);
   * at 90..99 bins the scratch still ends within X. */
  CU_MODE_SCRATCH = 2
};

static inline int cu_mode_defect(const cu_mode_shape *s) {
  int widest = 0;
  if (s->eff_ebands > 21) return CU_MODE_WIDE;
  for (int i = 0; i + 1 < s->eff_ebands; i++)
    if (s->ebands[i + 1] - s->ebands[i] > widest) widest = s->ebands[i + 1] - s->ebands[i];
  if (s->ebands[s->nb_ebands - 1] + widest > s->short_mdct) return CU_MODE_SCRATCH;
  return CU_MODE_OK;
}

#endif
