/* Leaks one block that points to another: one definitely lost record and
 * one indirectly lost record. */
#include <stdlib.h>

struct node { struct node *next; char payload[24]; };

__attribute__((noinline)) static struct node *make_list(void) {
  struct node *a = malloc(sizeof *a);
  a->next = malloc(sizeof *a);
  a->next->next = NULL;
  return a;
}

int main(void) {
  struct node *volatile l = make_list();
  l = NULL;
  return 0;
}
