// Thousands of threads created and joined one after another: asis frees each thread's
// own memory once the thread is gone, so the process does not grow (natively it does
// not either).
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void *work(void *arg)
{
    return arg;
}

static long mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long n = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

int main(void)
{
    long before = 0;
    for (int i = 0; i < 3000; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, work, NULL) != 0) {
            printf("pthread_create failed at %d\n", i);
            return 1;
        }
        pthread_join(t, NULL);
        if (i == 99)
            before = mappings();
    }
    long after = mappings();
    printf("3000 threads created and joined; mappings grew by fewer than 20: %s\n",
           after - before < 20 ? "yes" : "no");
    return 0;
}
