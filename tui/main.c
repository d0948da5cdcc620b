#include <stdio.h>
int main(void) { puts("intake " INTAKE_VERSION); return 0; }
