/* Tests for the strict JSON reader (json_read.c): documents of every type
 * with their offsets, lookups by key, index and path, escapes and surrogate
 * pairs, exact 64-bit integers, every error class with the exact offset and
 * reason, the nesting, number and value limits, every prefix of a document
 * (each must fail as a truncation), seeded random and mutated bytes placed
 * against a guard page, large inputs that must parse in linear time, and
 * round trips through the writer in json.c. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opushunt/json.h"
#include "opushunt/json_read.h"
#include "test_util.h"

/* ---- helpers ------------------------------------------------------------ */

/* Parses text[0..len) from a copy that ends at a guard page when it fits. */
static int parse_guarded(const char *text, size_t len, oh_jv **out, oh_error *err) {
  oh_error_clear(err);
  if (len <= OH_TEST_GUARD_SPAN)
    text = (const char *)oh_test_guarded((const uint8_t *)text, len);
  return oh_json_parse(text, len, out, err);
}

static oh_jv *parse_ok(const char *text) {
  oh_jv *v = NULL;
  oh_error err;
  if (parse_guarded(text, strlen(text), &v, &err) != OH_OK)
    fail_msg("'%s' failed at offset %llu: %s", text, (unsigned long long)err.offset,
             err.reason);
  assert_non_null(v);
  assert_int_equal(err.code, OH_OK);
  return v;
}

typedef struct bad_case {
  const char *text;
  size_t len; /* 0: strlen(text) */
  int code;
  uint64_t offset;
  const char *reason; /* a part of the reason */
} bad_case;

static void expect_fail(const bad_case *c) {
  size_t len = c->len ? c->len : strlen(c->text);
  oh_jv *v = (oh_jv *)1;
  oh_error err;
  int rc = parse_guarded(c->text, len, &v, &err);
  if (rc != c->code || err.code != c->code || err.offset != c->offset ||
      !strstr(err.reason, c->reason))
    fail_msg("'%s': got %d at offset %llu (%s), want %d at %llu (%s)",
             oh_test_hex((const uint8_t *)c->text, len), rc, (unsigned long long)err.offset,
             err.reason, c->code, (unsigned long long)c->offset, c->reason);
  assert_null(v);
}

static void expect_fail_all(const bad_case *cases, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) expect_fail(&cases[i]);
}

/* Checks the promises of the struct on every node of a parsed tree. */
static void check_tree(const oh_jv *v, size_t text_len, int depth) {
  size_t i;
  assert_true(v->offset < text_len);
  switch (v->type) {
  case OH_JV_NULL: break;
  case OH_JV_BOOL: assert_true(v->boolean == 0 || v->boolean == 1); break;
  case OH_JV_NUMBER:
    assert_true(isfinite(v->number));
    assert_non_null(v->string);
    assert_int_equal(strlen(v->string), v->len);
    break;
  case OH_JV_STRING:
    assert_non_null(v->string);
    assert_int_equal(strlen(v->string), v->len);
    break;
  case OH_JV_ARRAY:
  case OH_JV_OBJECT:
    assert_true(depth < OH_JSON_READ_MAX_DEPTH);
    assert_true(v->len == 0 || v->items);
    assert_true(v->type == OH_JV_OBJECT ? (v->len == 0 || v->keys) : !v->keys);
    for (i = 0; i < v->len; i++) {
      if (v->keys) assert_non_null(v->keys[i]);
      check_tree(&v->items[i], text_len, depth + 1);
    }
    break;
  default: fail_msg("bad type %d", v->type);
  }
}

/* Either a sound tree, or a clean failure with an offset inside the text. */
static void expect_clean(const uint8_t *data, size_t len) {
  oh_jv *v = (oh_jv *)1;
  oh_error err;
  int rc = parse_guarded((const char *)data, len, &v, &err);
  if (rc == OH_OK) {
    check_tree(v, len, 0);
    oh_jv_free(v);
    return;
  }
  if ((rc != OH_ERR_MALFORMED && rc != OH_ERR_LIMIT) || err.offset > len || !err.reason[0] ||
      v)
    fail_msg("input %s: rc %d offset %llu reason '%s'", oh_test_hex(data, len), rc,
             (unsigned long long)err.offset, err.reason);
}

/* ---- documents of every type --------------------------------------------- */

static void test_scalars_of_every_type(void **state) {
  oh_jv *v;
  v = parse_ok("null");
  assert_int_equal(v->type, OH_JV_NULL);
  assert_int_equal(v->offset, 0);
  oh_jv_free(v);
  v = parse_ok(" \t\r\ntrue \n");
  assert_int_equal(v->type, OH_JV_BOOL);
  assert_int_equal(v->boolean, 1);
  assert_int_equal(v->offset, 4);
  oh_jv_free(v);
  v = parse_ok("false");
  assert_int_equal(v->type, OH_JV_BOOL);
  assert_int_equal(v->boolean, 0);
  oh_jv_free(v);
  v = parse_ok("\"hi\"");
  assert_int_equal(v->type, OH_JV_STRING);
  assert_string_equal(oh_jv_str(v), "hi");
  assert_int_equal(v->len, 2);
  oh_jv_free(v);
  v = parse_ok("\"\"");
  assert_string_equal(oh_jv_str(v), "");
  assert_int_equal(v->len, 0);
  oh_jv_free(v);
  v = parse_ok("[]");
  assert_int_equal(v->type, OH_JV_ARRAY);
  assert_int_equal(oh_jv_count(v), 0);
  assert_null(oh_jv_at(v, 0));
  oh_jv_free(v);
  v = parse_ok("{ }");
  assert_int_equal(v->type, OH_JV_OBJECT);
  assert_int_equal(oh_jv_count(v), 0);
  assert_null(oh_jv_get(v, ""));
  oh_jv_free(v);
  oh_jv_free(NULL);
}

static void test_numbers(void **state) {
  static const struct {
    const char *text;
    double want;
  } cases[] = {
      {"0", 0.0},          {"-0", -0.0},       {"12", 12.0},          {"-1.5e3", -1500.0},
      {"1E+2", 100.0},     {"2.5e-1", 0.25},   {"123.456", 123.456},  {"0.1", 0.1},
      {"1e-400", 0.0},     {"1.7976931348623157e308", 1.7976931348623157e308},
      {"4.9e-324", 4.9e-324},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    oh_jv *v = parse_ok(cases[i].text);
    assert_int_equal(v->type, OH_JV_NUMBER);
    if (v->number != cases[i].want || signbit(v->number) != signbit(cases[i].want))
      fail_msg("%s read as %.17g", cases[i].text, v->number);
    assert_string_equal(v->string, cases[i].text); /* the literal, as written */
    assert_null(oh_jv_str(v));
    oh_jv_free(v);
  }
}

/* A program that calls setlocale may get ',' as strtod's decimal point;
 * numbers must read the same. Skipped when no such locale is installed
 * (LOCPATH may point at one made with localedef -i de_DE -f UTF-8). */
static void test_numbers_under_a_comma_locale(void **state) {
  static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
  oh_jv *v;
  size_t i;
  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (setlocale(LC_NUMERIC, names[i]) && localeconv()->decimal_point[0] == ',') break;
  if (i == sizeof names / sizeof names[0]) {
    setlocale(LC_NUMERIC, "C");
    fprintf(stderr, "skipped: no locale with a decimal comma\n");
    skip();
  }
  v = parse_ok("[1.5, -2.25e1, 3]");
  setlocale(LC_NUMERIC, "C");
  assert_true(oh_jv_at(v, 0)->number == 1.5);
  assert_true(oh_jv_at(v, 1)->number == -22.5);
  assert_true(oh_jv_at(v, 2)->number == 3);
  oh_jv_free(v);
}

static void test_integers_are_exact(void **state) {
  static const struct {
    const char *text;
    int is_int, is_uint;
    int64_t i;
    uint64_t u;
  } cases[] = {
      {"0", 1, 1, 0, 0},
      {"-0", 1, 1, 0, 0},
      {"-1", 1, 0, -1, 0},
      {"9007199254740993", 1, 1, 9007199254740993LL, 9007199254740993ULL}, /* 2^53 + 1 */
      {"9223372036854775807", 1, 1, INT64_MAX, INT64_MAX},
      {"-9223372036854775808", 1, 0, INT64_MIN, 0},
      {"-9223372036854775809", 0, 0, 0, 0},
      {"9223372036854775808", 0, 1, 0, 9223372036854775808ULL},
      {"18446744073709551615", 0, 1, 0, UINT64_MAX},
      {"18446744073709551616", 0, 0, 0, 0},
      {"184467440737095516150e-1", 0, 1, 0, UINT64_MAX},
      {"1e19", 0, 1, 0, 10000000000000000000ULL},
      {"1e20", 0, 0, 0, 0},
      {"1.0", 1, 1, 1, 1},
      {"1e3", 1, 1, 1000, 1000},
      {"1.5e1", 1, 1, 15, 15},
      {"1500e-2", 1, 1, 15, 15},
      {"-2.50E+1", 1, 0, -25, 0},
      {"0.000e5", 1, 1, 0, 0},
      {"1.5", 0, 0, 0, 0},
      {"1.05e1", 0, 0, 0, 0},
      {"1e-400", 0, 0, 0, 0},
      {"1.00000000000000001", 0, 0, 0, 0}, /* reads as the double 1.0 */
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    oh_jv *v = parse_ok(cases[i].text);
    int64_t si = 42;
    uint64_t ui = 42;
    int ri = oh_jv_int(v, &si), ru = oh_jv_uint(v, &ui);
    if (ri != cases[i].is_int || (ri && si != cases[i].i))
      fail_msg("oh_jv_int(%s) = %d, %lld", cases[i].text, ri, (long long)si);
    if (ru != cases[i].is_uint || (ru && ui != cases[i].u))
      fail_msg("oh_jv_uint(%s) = %d, %llu", cases[i].text, ru, (unsigned long long)ui);
    oh_jv_free(v);
  }
}

static void test_integer_of_a_non_number_fail(void **state) {
  oh_jv *v = parse_ok("[\"1\", true, null]");
  int64_t i;
  uint64_t u;
  assert_false(oh_jv_int(v, &i));
  assert_false(oh_jv_int(oh_jv_at(v, 0), &i));
  assert_false(oh_jv_uint(oh_jv_at(v, 1), &u));
  assert_false(oh_jv_int(oh_jv_at(v, 2), &i));
  assert_false(oh_jv_int(NULL, &i));
  assert_false(oh_jv_uint(NULL, &u));
  oh_jv_free(v);
}

static void test_arrays_and_objects(void **state) {
  const char *text = "{\"a\": [10, \"x\"], \"b\" : true, \"c\":{\"d\":\"e\",\"d\":2}, \"\":[]}";
  oh_jv *v = parse_ok(text);
  const oh_jv *a = oh_jv_get(v, "a"), *c = oh_jv_get(v, "c");
  assert_int_equal(oh_jv_count(v), 4);
  assert_string_equal(v->keys[0], "a");
  assert_string_equal(v->keys[3], "");
  assert_int_equal(a->type, OH_JV_ARRAY);
  assert_null(a->keys);
  assert_int_equal(oh_jv_count(a), 2);
  /* Offsets are those of each value's first byte. */
  assert_int_equal(a->offset, 6);
  assert_int_equal(oh_jv_at(a, 0)->offset, 7);
  assert_int_equal(oh_jv_at(a, 0)->number, 10);
  assert_int_equal(oh_jv_at(a, 1)->offset, 11);
  assert_string_equal(oh_jv_str(oh_jv_at(a, 1)), "x");
  assert_null(oh_jv_at(a, 2));
  assert_int_equal(oh_jv_get(v, "b")->offset, 23);
  assert_int_equal(oh_jv_get(v, "b")->boolean, 1);
  /* Duplicate keys are kept; lookups find the first. */
  assert_int_equal(oh_jv_count(c), 2);
  assert_string_equal(oh_jv_str(oh_jv_get(c, "d")), "e");
  assert_int_equal(c->items[1].number, 2);
  assert_int_equal(oh_jv_count(oh_jv_get(v, "")), 0);
  /* Wrong kinds and absent members. */
  assert_null(oh_jv_get(v, "zz"));
  assert_null(oh_jv_get(a, "a"));
  assert_null(oh_jv_get(NULL, "a"));
  assert_null(oh_jv_get(v, NULL));
  assert_null(oh_jv_at(v, 0));
  assert_null(oh_jv_at(NULL, 0));
  assert_int_equal(oh_jv_count(oh_jv_at(a, 0)), 0);
  assert_int_equal(oh_jv_count(NULL), 0);
  assert_null(oh_jv_str(NULL));
  assert_null(oh_jv_str(v));
  oh_jv_free(v);
}

static void test_path_lookups(void **state) {
  oh_jv *v = parse_ok(
      "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"opushunt\","
      "\"rules\":[{\"id\":\"R1\"},{\"id\":\"R2\"}]}},\"results\":[]}],\"10\":\"ten\"}");
  assert_string_equal(oh_jv_str(oh_jv_path(v, "runs.0.tool.driver.name")), "opushunt");
  assert_string_equal(oh_jv_str(oh_jv_path(v, "runs.0.tool.driver.rules.1.id")), "R2");
  assert_string_equal(oh_jv_str(oh_jv_path(v, "version")), "2.1.0");
  assert_string_equal(oh_jv_str(oh_jv_path(v, "10")), "ten"); /* digits name a key */
  assert_ptr_equal(oh_jv_path(v, ""), v);
  assert_int_equal(oh_jv_count(oh_jv_path(v, "runs.0.results")), 0);
  assert_non_null(oh_jv_path(v, "runs.00"));
  assert_null(oh_jv_path(v, "runs.0.results.0"));
  assert_null(oh_jv_path(v, "runs.1"));
  assert_null(oh_jv_path(v, "runs.x"));
  assert_null(oh_jv_path(v, "runs.-1"));
  assert_null(oh_jv_path(v, "runs."));
  assert_null(oh_jv_path(v, "runs.99999999999999999999999"));
  assert_null(oh_jv_path(v, "version.x"));
  assert_null(oh_jv_path(v, "version."));
  assert_null(oh_jv_path(v, ".version"));
  assert_null(oh_jv_path(v, "nope.0"));
  assert_null(oh_jv_path(v, NULL));
  assert_null(oh_jv_path(NULL, "runs"));
  oh_jv_free(v);
}

/* ---- strings -------------------------------------------------------------- */

static void expect_decoded(const char *text, const char *want) {
  oh_jv *v = parse_ok(text);
  assert_int_equal(v->type, OH_JV_STRING);
  if (v->len != strlen(want) || memcmp(v->string, want, v->len + 1) != 0)
    fail_msg("%s decoded as %s", text, oh_test_hex((const uint8_t *)v->string, v->len));
  oh_jv_free(v);
}

static void test_escapes_and_surrogates(void **state) {
  expect_decoded("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"", "a\"b\\c/d\be\ff\ng\rh\ti");
  expect_decoded("\"\\u0041\\u00e9\\u20AC\\uFFFF\"", "A\xc3\xa9\xe2\x82\xac\xef\xbf\xbf");
  expect_decoded("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");
  expect_decoded("\"\\uD800\\uDC00|\\uDBFF\\uDFFF\"", "\xf0\x90\x80\x80|\xf4\x8f\xbf\xbf");
  expect_decoded("\"\\u0001\\u001f\\u007f\"", "\x01\x1f\x7f");
  /* Valid UTF-8 and DEL pass through as they are. */
  expect_decoded("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f \xc2\x80\xf4\x8f\xbf\xbf\"",
                "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f \xc2\x80\xf4\x8f\xbf\xbf");
}

static void test_keys_are_decoded(void **state) {
  oh_jv *v = parse_ok("{\"k\\u0065y\":1,\"\\ud83d\\ude00\":2}");
  assert_int_equal(oh_jv_get(v, "key")->number, 1);
  assert_int_equal(oh_jv_get(v, "\xf0\x9f\x98\x80")->number, 2);
  assert_int_equal(oh_jv_path(v, "key")->offset, 12);
  oh_jv_free(v);
}

/* ---- errors, each at its exact offset --------------------------------------- */

static void test_structure_errors_fail(void **state) {
  static const bad_case cases[] = {
      {"", 0, OH_ERR_MALFORMED, 0, "expected a value, found end of input"},
      {"   ", 0, OH_ERR_MALFORMED, 3, "expected a value, found end of input"},
      {"x", 0, OH_ERR_MALFORMED, 0, "expected a value, found 'x'"},
      {"\xff", 0, OH_ERR_MALFORMED, 0, "expected a value, found byte 0xff"},
      {"\xef\xbb\xbf{}", 0, OH_ERR_MALFORMED, 0, "found byte 0xef"}, /* no BOM */
      {"\v1", 0, OH_ERR_MALFORMED, 0, "found byte 0x0b"},
      {"{\"a\" 1}", 0, OH_ERR_MALFORMED, 5, "expected ':' after object key, found '1'"},
      {"{\"a\"", 0, OH_ERR_MALFORMED, 4, "expected ':' after object key, found end of input"},
      {"{\"a\":1,}", 0, OH_ERR_MALFORMED, 6, "trailing comma before '}'"},
      {"[1,]", 0, OH_ERR_MALFORMED, 2, "trailing comma before ']'"},
      {"[1 , \n]", 0, OH_ERR_MALFORMED, 3, "trailing comma before ']'"},
      {"[1 2]", 0, OH_ERR_MALFORMED, 3, "expected ',' or ']' in array, found '2'"},
      {"[1}", 0, OH_ERR_MALFORMED, 2, "expected ',' or ']' in array, found '}'"},
      {"{\"a\":1 \"b\":2}", 0, OH_ERR_MALFORMED, 7, "expected ',' or '}' in object"},
      {"{\"a\":1]", 0, OH_ERR_MALFORMED, 6, "expected ',' or '}' in object, found ']'"},
      {"{1:2}", 0, OH_ERR_MALFORMED, 1, "expected a string key or '}', found '1'"},
      {"{'a':2}", 0, OH_ERR_MALFORMED, 1, "expected a string key or '}', found '''"},
      {"{\"a\":1,2}", 0, OH_ERR_MALFORMED, 7, "expected a string key, found '2'"},
      {"[1,,2]", 0, OH_ERR_MALFORMED, 3, "expected a value, found ','"},
      {"[,1]", 0, OH_ERR_MALFORMED, 1, "expected a value, found ','"},
      {"{\"a\":}", 0, OH_ERR_MALFORMED, 5, "expected a value, found '}'"},
      {"[", 0, OH_ERR_MALFORMED, 1, "expected a value, found end of input"},
      {"{", 0, OH_ERR_MALFORMED, 1, "expected a string key or '}', found end of input"},
      {"]", 0, OH_ERR_MALFORMED, 0, "expected a value, found ']'"},
      {"/* c */ 1", 0, OH_ERR_MALFORMED, 0, "expected a value, found '/'"},
      {"[1] // c", 0, OH_ERR_MALFORMED, 4, "trailing data after the value"},
      {"{} {}", 0, OH_ERR_MALFORMED, 3, "trailing data after the value"},
      {"1 2", 0, OH_ERR_MALFORMED, 2, "trailing data after the value"},
      {"[1]\0", 4, OH_ERR_MALFORMED, 3, "trailing data after the value"},
  };
  expect_fail_all(cases, sizeof cases / sizeof cases[0]);
}

static void test_literal_errors_fail(void **state) {
  static const bad_case cases[] = {
      {"tru", 0, OH_ERR_MALFORMED, 0, "invalid literal, expected 'true'"},
      {"[fals]", 0, OH_ERR_MALFORMED, 1, "invalid literal, expected 'false'"},
      {"nul", 0, OH_ERR_MALFORMED, 0, "invalid literal, expected 'null'"},
      {"nan", 0, OH_ERR_MALFORMED, 0, "invalid literal, expected 'null'"},
      {"NaN", 0, OH_ERR_MALFORMED, 0, "expected a value, found 'N'"},
      {"Infinity", 0, OH_ERR_MALFORMED, 0, "expected a value, found 'I'"},
      {"True", 0, OH_ERR_MALFORMED, 0, "expected a value, found 'T'"},
      {"nulll", 0, OH_ERR_MALFORMED, 4, "trailing data after the value"},
      {"[truex]", 0, OH_ERR_MALFORMED, 5, "expected ',' or ']' in array, found 'x'"},
  };
  expect_fail_all(cases, sizeof cases / sizeof cases[0]);
}

static void test_number_errors_fail(void **state) {
  static const bad_case cases[] = {
      {"01", 0, OH_ERR_MALFORMED, 0, "leading zero in number"},
      {"-01", 0, OH_ERR_MALFORMED, 1, "leading zero in number"},
      {"[00]", 0, OH_ERR_MALFORMED, 1, "leading zero in number"},
      {"-", 0, OH_ERR_MALFORMED, 1, "expected a digit after '-', found end of input"},
      {"-a", 0, OH_ERR_MALFORMED, 1, "expected a digit after '-', found 'a'"},
      {"-Infinity", 0, OH_ERR_MALFORMED, 1, "expected a digit after '-', found 'I'"},
      {"1.", 0, OH_ERR_MALFORMED, 2, "expected a digit after '.', found end of input"},
      {"1.e5", 0, OH_ERR_MALFORMED, 2, "expected a digit after '.', found 'e'"},
      {"1e", 0, OH_ERR_MALFORMED, 2, "expected a digit in the exponent"},
      {"[1e+]", 0, OH_ERR_MALFORMED, 4, "expected a digit in the exponent, found ']'"},
      {".5", 0, OH_ERR_MALFORMED, 0, "expected a value, found '.'"},
      {"+1", 0, OH_ERR_MALFORMED, 0, "expected a value, found '+'"},
      {"0x10", 0, OH_ERR_MALFORMED, 1, "trailing data after the value"},
      {"1.5.2", 0, OH_ERR_MALFORMED, 3, "trailing data after the value"},
      {"1e400", 0, OH_ERR_LIMIT, 0, "beyond the range of a double"},
      {"{\"a\":-1e400}", 0, OH_ERR_LIMIT, 5, "beyond the range of a double"},
  };
  expect_fail_all(cases, sizeof cases / sizeof cases[0]);
}

static void test_string_errors_fail(void **state) {
  static const bad_case cases[] = {
      {"\"abc", 0, OH_ERR_MALFORMED, 0, "unterminated string"},
      {"[1, \"abc", 0, OH_ERR_MALFORMED, 4, "unterminated string"},
      {"\"a\\", 0, OH_ERR_MALFORMED, 0, "unterminated string"},
      {"\"\\u12", 0, OH_ERR_MALFORMED, 0, "unterminated string"},
      {"\"\\ud800", 0, OH_ERR_MALFORMED, 0, "unterminated string"},
      {"\"\\ud800\\", 0, OH_ERR_MALFORMED, 0, "unterminated string"},
      {"\"\\ud800\\udc", 0, OH_ERR_MALFORMED, 0, "unterminated string"},
      {"\"\xe2\x82", 0, OH_ERR_MALFORMED, 0, "unterminated string"},
      {"{\"ab", 0, OH_ERR_MALFORMED, 1, "unterminated string"},
      {"\"\\x\"", 0, OH_ERR_MALFORMED, 1, "invalid escape '\\x'"},
      {"\"ab\\'\"", 0, OH_ERR_MALFORMED, 3, "invalid escape '\\''"},
      {"\"\\\x01\"", 0, OH_ERR_MALFORMED, 1, "invalid escape byte 0x01"},
      {"\"\\\0\"", 4, OH_ERR_MALFORMED, 1, "invalid escape byte 0x00"},
      {"\"\\U0041\"", 0, OH_ERR_MALFORMED, 1, "invalid escape '\\U'"},
      {"\"\\u12G4\"", 0, OH_ERR_MALFORMED, 1, "invalid \\u escape"},
      {"\"\\u12\"", 0, OH_ERR_MALFORMED, 1, "invalid \\u escape"},
      {"\"\\u 123\"", 0, OH_ERR_MALFORMED, 1, "invalid \\u escape"},
      {"\"\\u0000\"", 0, OH_ERR_MALFORMED, 1, "\\u0000 is not allowed"},
      {"{\"a\\u0000\":1}", 0, OH_ERR_MALFORMED, 3, "\\u0000 is not allowed"},
      {"\"\\ud800\"", 0, OH_ERR_MALFORMED, 1, "lone surrogate \\ud800"},
      {"\"\\ud800x\"", 0, OH_ERR_MALFORMED, 1, "lone surrogate \\ud800"},
      {"\"\\ud800\\n\"", 0, OH_ERR_MALFORMED, 1, "lone surrogate \\ud800"},
      {"\"\\ud800\\u0041\"", 0, OH_ERR_MALFORMED, 1, "lone surrogate \\ud800"},
      {"\"\\ud800\\ud800\"", 0, OH_ERR_MALFORMED, 1, "lone surrogate \\ud800"},
      {"\"\\udc00\"", 0, OH_ERR_MALFORMED, 1, "lone surrogate \\udc00"},
      {"\"x\\uDFFF\\uD800\"", 0, OH_ERR_MALFORMED, 2, "lone surrogate \\udfff"},
      {"\"ab\\ud800\\uZZZZ\"", 0, OH_ERR_MALFORMED, 9, "invalid \\u escape"},
      {"\"a\nb\"", 0, OH_ERR_MALFORMED, 2, "control character 0x0a in string"},
      {"\"a\tb\"", 0, OH_ERR_MALFORMED, 2, "control character 0x09 in string"},
      {"\"a\0b\"", 5, OH_ERR_MALFORMED, 2, "control character 0x00 in string"},
      {"\"\x1f\"", 0, OH_ERR_MALFORMED, 1, "control character 0x1f in string"},
      {"\"\xc3\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 sequence"},
      {"\"\xc3\xa9\xc3(\"", 0, OH_ERR_MALFORMED, 3, "invalid UTF-8 sequence"},
      {"\"\xc0\x80\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 byte 0xc0"},
      {"\"\xc1\xbf\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 byte 0xc1"},
      {"\"\xe0\x80\x80\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 sequence"},
      {"\"\xe0\x9f\xbf\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 sequence"},
      {"\"\xed\xa0\x80\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 sequence"},
      {"\"\xf0\x8f\xbf\xbf\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 sequence"},
      {"\"\xf4\x90\x80\x80\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 sequence"},
      {"\"\xe2\x82\x41\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 sequence"},
      {"\"\x80\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 byte 0x80"},
      {"\"\xf5\x80\x80\x80\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 byte 0xf5"},
      {"\"\xff\"", 0, OH_ERR_MALFORMED, 1, "invalid UTF-8 byte 0xff"},
  };
  expect_fail_all(cases, sizeof cases / sizeof cases[0]);
}

static void test_bad_arguments_fail(void **state) {
  oh_jv *v = (oh_jv *)1;
  oh_error err;
  assert_int_equal(oh_json_parse("1", 1, NULL, &err), OH_ERR_ARG);
  assert_int_equal(oh_json_parse(NULL, 3, &v, &err), OH_ERR_ARG);
  assert_null(v);
  v = (oh_jv *)1;
  assert_int_equal(oh_json_parse(NULL, 0, &v, &err), OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 0);
  assert_null(v);
  /* err may be NULL. */
  assert_int_equal(oh_json_parse("[", 1, &v, NULL), OH_ERR_MALFORMED);
  assert_int_equal(oh_json_parse("[1]", 3, &v, NULL), OH_OK);
  oh_jv_free(v);
}

/* Only text[0..len) is read: what follows is not part of the document. */
static void test_text_need_not_end_in_nul(void **state) {
  static const char text[] = "123456[1,2]xyz\"abc\"";
  oh_jv *v;
  oh_error err;
  assert_int_equal(oh_json_parse(text, 3, &v, &err), OH_OK);
  assert_int_equal(v->number, 123);
  assert_string_equal(v->string, "123");
  oh_jv_free(v);
  assert_int_equal(oh_json_parse(text + 6, 5, &v, &err), OH_OK);
  assert_int_equal(oh_jv_count(v), 2);
  oh_jv_free(v);
  assert_int_equal(oh_json_parse(text + 14, 4, &v, &err), OH_ERR_MALFORMED);
  assert_string_equal(err.reason, "unterminated string");
  assert_int_equal(oh_json_parse(text + 6, 4, &v, &err), OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 4);
}

/* ---- limits ---------------------------------------------------------------- */

static char *repeat(const char *open, int n, const char *mid, const char *close, size_t *len) {
  size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close), i, at = 0;
  char *s = malloc((size_t)n * (lo + lc) + lm + 1);
  assert_non_null(s);
  for (i = 0; i < (size_t)n; i++, at += lo) memcpy(s + at, open, lo);
  memcpy(s + at, mid, lm);
  at += lm;
  for (i = 0; i < (size_t)n; i++, at += lc) memcpy(s + at, close, lc);
  s[at] = '\0';
  *len = at;
  return s;
}

static void test_depth_limit(void **state) {
  size_t len;
  char *s = repeat("[", OH_JSON_READ_MAX_DEPTH, "1", "]", &len);
  oh_jv *v = parse_ok(s);
  const oh_jv *inner = v;
  int d;
  for (d = 0; d < OH_JSON_READ_MAX_DEPTH; d++) inner = oh_jv_at(inner, 0);
  assert_int_equal(inner->number, 1);
  oh_jv_free(v);
  free(s);
  s = repeat("{\"a\":", OH_JSON_READ_MAX_DEPTH - 1, "[]", "}", &len);
  v = parse_ok(s);
  oh_jv_free(v);
  free(s);
}

static void test_nesting_deeper_than_64_fail(void **state) {
  size_t len;
  char *s = repeat("[", OH_JSON_READ_MAX_DEPTH + 1, "", "]", &len);
  bad_case c = {s, 0, OH_ERR_MALFORMED, OH_JSON_READ_MAX_DEPTH, "nesting deeper than 64"};
  expect_fail(&c);
  free(s);
  s = repeat("{\"a\":", OH_JSON_READ_MAX_DEPTH, "{}", "}", &len);
  c.text = s;
  c.offset = 5 * OH_JSON_READ_MAX_DEPTH;
  expect_fail(&c);
  free(s);
  /* A long run of brackets stops at the limit without deep recursion. */
  s = repeat("[", 100000, "", "", &len);
  c.text = s;
  c.offset = OH_JSON_READ_MAX_DEPTH;
  expect_fail(&c);
  free(s);
}

static void test_number_longer_than_the_limit_fail(void **state) {
  char text[OH_JSON_READ_MAX_NUMBER + 8];
  oh_jv *v;
  bad_case c = {text, 0, OH_ERR_LIMIT, 1, "number longer than 512 characters"};
  /* "[0.000...01]" with a literal of exactly the limit, then one longer. */
  memcpy(text, "[0.", 3);
  memset(text + 3, '0', OH_JSON_READ_MAX_NUMBER - 3);
  strcpy(text + OH_JSON_READ_MAX_NUMBER, "1]");
  v = parse_ok(text);
  assert_int_equal(oh_jv_at(v, 0)->len, OH_JSON_READ_MAX_NUMBER);
  oh_jv_free(v);
  strcpy(text + OH_JSON_READ_MAX_NUMBER, "01]");
  expect_fail(&c);
}

/* ---- truncation, garbage and mutations ------------------------------------ */

static const char rich_doc[] =
    "{\"name\":\"opus \\u00e9\\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\","
    "\"n\":[0,-1.5e-3,12,true,false,null,1E+2],"
    "\"o\":{\"k\":{\"\":[[],{}]}},\"s\":\"a\\\"b\\\\\\/\\n\"}";

static void test_every_prefix_fails_as_truncated(void **state) {
  size_t n = strlen(rich_doc), i;
  oh_jv *v = parse_ok(rich_doc);
  check_tree(v, n, 0);
  assert_string_equal(oh_jv_str(oh_jv_get(v, "name")),
                      "opus \xc3\xa9\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac");
  assert_string_equal(oh_jv_str(oh_jv_get(v, "s")), "a\"b\\/\n");
  oh_jv_free(v);
  for (i = 0; i < n; i++) {
    oh_error err;
    int rc;
    v = (oh_jv *)1;
    rc = parse_guarded(rich_doc, i, &v, &err);
    if (rc != OH_ERR_MALFORMED || err.offset > i || v ||
        (!strstr(err.reason, "end of input") && !strstr(err.reason, "unterminated string") &&
         !strstr(err.reason, "invalid literal")))
      fail_msg("prefix of %zu bytes: rc %d at %llu: %s", i, rc,
               (unsigned long long)err.offset, err.reason);
  }
}

static void test_random_bytes(void **state) {
  static const char alphabet[] = "{}[],:\"\\ 0123456789-+.eEtrufalsn\x01\x7f\xc3\xa9\xed\xf0u";
  uint8_t buf[96];
  oh_test_rng rng;
  long iter, n = oh_test_iterations(5000);
  oh_test_rng_init(&rng, 0x150ba5e, "json_read random bytes");
  for (iter = 0; iter < n; iter++) {
    size_t len = oh_test_rng_below(&rng, sizeof buf + 1), i;
    for (i = 0; i < len; i++)
      buf[i] = oh_test_rng_below(&rng, 4) == 0
                   ? (uint8_t)oh_test_rng_next(&rng)
                   : (uint8_t)alphabet[oh_test_rng_below(&rng, sizeof alphabet - 1)];
    expect_clean(buf, len);
  }
}

static void test_mutated_documents(void **state) {
  uint8_t buf[sizeof rich_doc + 8];
  size_t n = strlen(rich_doc);
  oh_test_rng rng;
  long iter, iters = oh_test_iterations(5000);
  oh_test_rng_init(&rng, 0xd0c5, "json_read mutations");
  for (iter = 0; iter < iters; iter++) {
    size_t len = n;
    int k, edits = 1 + (int)oh_test_rng_below(&rng, 3);
    memcpy(buf, rich_doc, n);
    for (k = 0; k < edits; k++) {
      size_t at = oh_test_rng_below(&rng, (uint32_t)len);
      switch (oh_test_rng_below(&rng, 4)) {
      case 0: buf[at] ^= (uint8_t)(1u << oh_test_rng_below(&rng, 8)); break;
      case 1: buf[at] = (uint8_t)oh_test_rng_next(&rng); break;
      case 2: /* delete a byte */
        memmove(buf + at, buf + at + 1, len - at - 1);
        len--;
        break;
      default: /* duplicate a byte */
        if (len < sizeof buf) {
          memmove(buf + at + 1, buf + at, len - at);
          len++;
        }
      }
    }
    expect_clean(buf, len);
  }
}

/* ---- large inputs ------------------------------------------------------- */

static void test_large_inputs_parse_in_linear_time(void **state) {
  size_t n = oh_test_quick() ? 20000 : 2000000, len, i;
  char *s = malloc(2 * n + 16);
  oh_jv *v;
  oh_error err;
  assert_non_null(s);
  /* A flat array of n zeros. */
  s[0] = '[';
  for (i = 0; i < n; i++) memcpy(s + 1 + 2 * i, "0,", 2);
  s[2 * n] = ']';
  assert_int_equal(oh_json_parse(s, 2 * n + 1, &v, &err), OH_OK);
  assert_int_equal(oh_jv_count(v), n);
  assert_int_equal(oh_jv_at(v, n - 1)->offset, 2 * n - 1);
  oh_jv_free(v);
  /* One string of 2n - 2 bytes. */
  s[0] = '"';
  memset(s + 1, 'a', 2 * n - 2);
  s[2 * n - 1] = '"';
  assert_int_equal(oh_json_parse(s, 2 * n, &v, &err), OH_OK);
  assert_int_equal(v->len, 2 * n - 2);
  oh_jv_free(v);
  /* Arrays of arrays: the scratch stack is reused level by level. */
  for (i = 0, len = 0; i < n / 4; i++, len += 4) memcpy(s + len, i ? ",[1]" : "[[1]", 4);
  s[len++] = ']';
  assert_int_equal(oh_json_parse(s, len, &v, &err), OH_OK);
  assert_int_equal(oh_jv_count(v), n / 4);
  oh_jv_free(v);
  free(s);
}

static void test_more_values_than_the_limit_fail(void **state) {
  size_t n = OH_JSON_READ_MAX_VALUES, i;
  char *s;
  oh_jv *v = (oh_jv *)1;
  oh_error err;
  if (oh_test_quick()) {
    fprintf(stderr, "skipped in quick mode (needs about 250 MB)\n");
    return;
  }
  s = malloc(2 * n + 2);
  assert_non_null(s);
  s[0] = '[';
  for (i = 0; i < n; i++) memcpy(s + 1 + 2 * i, "0,", 2);
  s[2 * n] = '0';
  s[2 * n + 1] = ']';
  /* The array and n - 1 zeros fit; the n-th zero is one too many. */
  assert_int_equal(oh_json_parse(s, 2 * n + 2, &v, &err), OH_ERR_LIMIT);
  assert_int_equal(err.offset, 2 * n - 1);
  assert_non_null(strstr(err.reason, "more than 4194304 values"));
  assert_null(v);
  free(s);
}

/* ---- files ---------------------------------------------------------------- */

static void test_parse_file(void **state) {
  static const char good[] = "{\"a\": [1, 2]}\n", bad[] = "{\"a\" 1}";
  char *p = oh_test_tmpfile(good, sizeof good - 1);
  oh_jv *v = (oh_jv *)1;
  oh_error err;
  assert_int_equal(oh_json_parse_file(p, &v, &err), OH_OK);
  assert_int_equal(oh_jv_path(v, "a.1")->number, 2);
  oh_jv_free(v);
  unlink(p);
  free(p);
  p = oh_test_tmpfile(bad, sizeof bad - 1);
  assert_int_equal(oh_json_parse_file(p, &v, &err), OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 5);
  assert_null(v);
  unlink(p);
  free(p);
  p = oh_test_tmpfile("", 0);
  assert_int_equal(oh_json_parse_file(p, &v, &err), OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 0);
  unlink(p);
  free(p);
}

static void test_unreadable_file_fail(void **state) {
  oh_jv *v = (oh_jv *)1;
  oh_error err;
  assert_int_equal(oh_json_parse_file("/nonexistent/opushunt.json", &v, &err), OH_ERR_IO);
  assert_null(v);
  v = (oh_jv *)1;
  assert_int_equal(oh_json_parse_file("/tmp", &v, &err), OH_ERR_IO);
  assert_null(v);
}

/* ---- round trips through the writer ---------------------------------------- */

/* What the reader gives back for a string the writer wrote: ASCII and valid
 * UTF-8 as they are, any other byte B as the UTF-8 of U+00B (the writer
 * escapes it as \u00B). Mirrors the writer's utf8_len. */
static size_t writer_utf8_len(const unsigned char *s) {
  size_t n, i;
  if (s[0] < 0xC2) return 0;
  n = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : s[0] < 0xF5 ? 4 : 0;
  for (i = 1; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  return n;
}

static size_t expected_after_writer(const unsigned char *s, unsigned char *out) {
  size_t o = 0, u;
  while (*s) {
    if (*s < 0x80) {
      out[o++] = *s++;
    } else if ((u = writer_utf8_len(s)) > 0) {
      memcpy(out + o, s, u);
      o += u;
      s += u;
    } else {
      out[o++] = (unsigned char)(0xC0 | *s >> 6);
      out[o++] = (unsigned char)(0x80 | (*s++ & 0x3F));
    }
  }
  out[o] = '\0';
  return o;
}

/* Random bytes 1..255, except that the leads the writer would pass through
 * unchecked (E0, ED, F0, F4: overlongs, surrogates, beyond U+10FFFF) only
 * start valid sequences. */
static size_t random_text(oh_test_rng *rng, unsigned char *s, size_t cap) {
  static const char *const seqs[] = {"\xe0\xa4\x85", "\xed\x9f\xbf", "\xf0\x9f\x98\x80",
                                     "\xf4\x8f\xbf\xbf"};
  size_t n = 0, want = oh_test_rng_below(rng, (uint32_t)cap - 4);
  while (n < want) {
    unsigned b = 1 + oh_test_rng_below(rng, 255);
    if (b == 0xE0 || b == 0xED || b == 0xF0 || b == 0xF4) {
      const char *q = seqs[oh_test_rng_below(rng, 4)];
      memcpy(s + n, q, strlen(q));
      n += strlen(q);
    } else {
      s[n++] = (unsigned char)b;
    }
  }
  s[n] = '\0';
  return n;
}

static void test_round_trip_through_the_writer(void **state) {
  static const uint8_t hex[] = {0xde, 0xad, 0xbe, 0xef};
  int pretty;
  for (pretty = 0; pretty < 2; pretty++) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    oh_json j;
    oh_jv *v;
    oh_error err;
    int64_t i;
    uint64_t u;
    int d;
    char path[64];
    assert_non_null(f);
    oh_json_init(&j, f, pretty);
    oh_json_object_begin(&j, NULL);
    oh_json_str(&j, "s", "quote\" back\\ nl\n tab\t cr\r bell\x07 del\x7f \xc3\xa9\xe2\x82\xac");
    oh_json_str(&j, "nul", NULL);
    oh_json_str(&j, "bad", "\xff\xc3(");
    oh_json_int(&j, "imin", INT64_MIN);
    oh_json_int(&j, "imax", INT64_MAX);
    oh_json_uint(&j, "umax", UINT64_MAX);
    oh_json_double(&j, "tenth", 0.1);
    oh_json_double(&j, "tiny", -4.9e-324);
    oh_json_double(&j, "inf", INFINITY);
    oh_json_bool(&j, "t", 1);
    oh_json_bool(&j, "f", 0);
    oh_json_null(&j, "n");
    oh_json_hex(&j, "hex", hex, sizeof hex, 0);
    oh_json_array_begin(&j, "arr");
    oh_json_int(&j, NULL, 1);
    oh_json_str(&j, NULL, "x");
    oh_json_object_begin(&j, NULL);
    oh_json_object_end(&j);
    oh_json_array_begin(&j, NULL);
    oh_json_array_end(&j);
    oh_json_array_end(&j);
    for (d = 0; d < 20; d++) oh_json_array_begin(&j, d ? NULL : "deep");
    for (d = 0; d < 20; d++) oh_json_array_end(&j);
    oh_json_object_end(&j);
    assert_int_equal(fclose(f), 0);

    if (oh_json_parse(text, size, &v, &err) != OH_OK)
      fail_msg("writer output fails at %llu: %s\n%s", (unsigned long long)err.offset,
               err.reason, text);
    assert_string_equal(oh_jv_str(oh_jv_get(v, "s")),
                        "quote\" back\\ nl\n tab\t cr\r bell\x07 del\x7f \xc3\xa9\xe2\x82\xac");
    assert_int_equal(oh_jv_get(v, "nul")->type, OH_JV_NULL);
    assert_string_equal(oh_jv_str(oh_jv_get(v, "bad")), "\xc3\xbf\xc3\x83(");
    assert_true(oh_jv_int(oh_jv_get(v, "imin"), &i) && i == INT64_MIN);
    assert_true(oh_jv_int(oh_jv_get(v, "imax"), &i) && i == INT64_MAX);
    assert_true(oh_jv_uint(oh_jv_get(v, "umax"), &u) && u == UINT64_MAX);
    assert_true(oh_jv_get(v, "tenth")->number == 0.1);
    assert_true(oh_jv_get(v, "tiny")->number == -4.9e-324);
    assert_int_equal(oh_jv_get(v, "inf")->type, OH_JV_NULL);
    assert_int_equal(oh_jv_get(v, "t")->boolean, 1);
    assert_int_equal(oh_jv_get(v, "f")->type, OH_JV_BOOL);
    assert_int_equal(oh_jv_get(v, "f")->boolean, 0);
    assert_int_equal(oh_jv_get(v, "n")->type, OH_JV_NULL);
    assert_string_equal(oh_jv_str(oh_jv_get(v, "hex")), "deadbeef");
    assert_int_equal(oh_jv_count(oh_jv_get(v, "arr")), 4);
    assert_string_equal(oh_jv_str(oh_jv_path(v, "arr.1")), "x");
    assert_int_equal(oh_jv_path(v, "arr.2")->type, OH_JV_OBJECT);
    strcpy(path, "deep");
    for (d = 1; d < 20; d++) strcat(path, ".0"); /* the innermost of 20 arrays */
    assert_int_equal(oh_jv_path(v, path)->type, OH_JV_ARRAY);
    assert_int_equal(oh_jv_count(oh_jv_path(v, path)), 0);
    strcat(path, ".0");
    assert_null(oh_jv_path(v, path));
    oh_jv_free(v);
    free(text);
  }
}

static void test_random_values_round_trip(void **state) {
  oh_test_rng rng;
  long iter, iters = oh_test_iterations(2000);
  oh_test_rng_init(&rng, 0x7a11, "json_read round trips");
  for (iter = 0; iter < iters; iter++) {
    unsigned char str[200], want[400];
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    int64_t si = (int64_t)oh_test_rng_next(&rng), got_i;
    uint64_t ui = oh_test_rng_next(&rng), bits = oh_test_rng_next(&rng), got_u;
    double dv, got_d;
    oh_json j;
    oh_jv *v;
    oh_error err;
    memcpy(&dv, &bits, sizeof dv);
    random_text(&rng, str, sizeof str);
    expected_after_writer(str, want);
    oh_json_init(&j, f, (int)(iter & 1));
    oh_json_object_begin(&j, NULL);
    oh_json_str(&j, (const char *)str, (const char *)str);
    oh_json_int(&j, "i", si);
    oh_json_uint(&j, "u", ui);
    oh_json_double(&j, "d", dv);
    oh_json_object_end(&j);
    assert_int_equal(fclose(f), 0);
    if (oh_json_parse(text, size, &v, &err) != OH_OK)
      fail_msg("iteration %ld: writer output fails at %llu: %s", iter,
               (unsigned long long)err.offset, err.reason);
    assert_string_equal(v->keys[0], (const char *)want);
    assert_string_equal(oh_jv_str(&v->items[0]), (const char *)want);
    assert_true(oh_jv_int(oh_jv_get(v, "i"), &got_i));
    assert_true(got_i == si);
    assert_true(oh_jv_uint(oh_jv_get(v, "u"), &got_u));
    assert_true(got_u == ui);
    if (!isfinite(dv)) {
      assert_int_equal(oh_jv_get(v, "d")->type, OH_JV_NULL);
    } else {
      got_d = oh_jv_get(v, "d")->number;
      if (memcmp(&got_d, &dv, sizeof dv) != 0)
        fail_msg("iteration %ld: %.17g read back as %.17g", iter, dv, got_d);
    }
    oh_jv_free(v);
    free(text);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scalars_of_every_type),
      cmocka_unit_test(test_numbers),
      cmocka_unit_test(test_numbers_under_a_comma_locale),
      cmocka_unit_test(test_integers_are_exact),
      cmocka_unit_test(test_integer_of_a_non_number_fail),
      cmocka_unit_test(test_arrays_and_objects),
      cmocka_unit_test(test_path_lookups),
      cmocka_unit_test(test_escapes_and_surrogates),
      cmocka_unit_test(test_keys_are_decoded),
      cmocka_unit_test(test_structure_errors_fail),
      cmocka_unit_test(test_literal_errors_fail),
      cmocka_unit_test(test_number_errors_fail),
      cmocka_unit_test(test_string_errors_fail),
      cmocka_unit_test(test_bad_arguments_fail),
      cmocka_unit_test(test_text_need_not_end_in_nul),
      cmocka_unit_test(test_depth_limit),
      cmocka_unit_test(test_nesting_deeper_than_64_fail),
      cmocka_unit_test(test_number_longer_than_the_limit_fail),
      cmocka_unit_test(test_every_prefix_fails_as_truncated),
      cmocka_unit_test(test_random_bytes),
      cmocka_unit_test(test_mutated_documents),
      cmocka_unit_test(test_large_inputs_parse_in_linear_time),
      cmocka_unit_test(test_more_values_than_the_limit_fail),
      cmocka_unit_test(test_parse_file),
      cmocka_unit_test(test_unreadable_file_fail),
      cmocka_unit_test(test_round_trip_through_the_writer),
      cmocka_unit_test(test_random_values_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
