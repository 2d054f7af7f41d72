// The documentation's examples (generated from the pages in meson.build) are compiled and
// linked into this program, which runs none of them: building it is the check.
int main() {
    return 0;
}
