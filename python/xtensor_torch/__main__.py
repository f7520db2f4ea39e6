"""python -m xtensor_torch --includes | --cmakedir | --version: what build systems ask a package for."""
import argparse
import sys

import xtensor_torch


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m xtensor_torch",
                                     description="Where the xtensor-torch headers and CMake package are installed.")
    parser.add_argument("--includes", action="store_true", help="the include flag for the headers (-I...)")
    parser.add_argument("--cmakedir", action="store_true", help="the folder of xtensor-torch-config.cmake")
    parser.add_argument("--version", action="store_true", help="the version of the headers")
    args = parser.parse_args(argv)
    if not (args.includes or args.cmakedir or args.version):
        parser.print_help()
        return 1
    if args.includes:
        print("-I" + xtensor_torch.get_include())
    if args.cmakedir:
        print(xtensor_torch.get_cmake_dir())
    if args.version:
        print(xtensor_torch.__version__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
