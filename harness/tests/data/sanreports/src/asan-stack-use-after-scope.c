/* Uses a local after its block has ended. */
int main(void) {
  volatile int *p;
  {
    int x = 3;
    p = &x;
  }
  *p = 5;
  return 0;
}
