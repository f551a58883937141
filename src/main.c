/* main.c - placeholder until the protocol server lands. */
int main(void)
{
    return 1;
}
