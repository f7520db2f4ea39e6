// Compiled as C++14 (torch 1.13's cpp_extension default), the umbrella header must stop at once with a
// message that says C++17 is needed and how to ask for it, not deep inside xtensor or the standard library.
// expect: xtensor-torch needs C\+\+17 or later\. Ask for it: g\+\+ -std=c\+\+17; CMake: .*extra_cflags=\['-std=c\+\+17'\]
#include <xtensor-torch/xtensor-torch.hpp>

int main()
{
    return 0;
}
