/* placeholder: being written */
#include <stdio.h>
int main(void) { fprintf(stderr, "test not written yet\n"); return 1; }
