# The Python side: the interface targets xtensor-torch::python (the pybind11 casters of
# <xtensor-torch/pybind11.hpp>, pybind11 and libtorch_python) and xtensor-torch::nanobind (the nanobind casters of
# <xtensor-torch/nanobind.hpp>, libtorch_python), nanobind where it is installed, and xtensor_torch_add_module().
#
# Debian's python3 (/usr/bin/python3) is the one with torch: configure with
# -DPython3_EXECUTABLE=/usr/bin/python3 when another python3 comes first on PATH.
find_package(Python3 3.8 REQUIRED COMPONENTS Interpreter Development.Module)
find_package(pybind11 2.10 CONFIG REQUIRED)

# libtorch_python holds the functions that make torch.Tensor objects; torch's CMake config does not
# list it, so look next to libtorch (torch/lib in a pip install, the multiarch directory on Debian).
find_library(XTENSOR_TORCH_TORCH_PYTHON_LIBRARY torch_python HINTS "${TORCH_INSTALL_PREFIX}/lib")
if(NOT XTENSOR_TORCH_TORCH_PYTHON_LIBRARY)
    message(FATAL_ERROR "libtorch_python was not found next to libtorch (${TORCH_INSTALL_PREFIX}/lib). "
                        "Install python3-torch, or set XTENSOR_TORCH_TORCH_PYTHON_LIBRARY to its path.")
endif()

add_library(xtensor-torch-python INTERFACE)
add_library(xtensor-torch::python ALIAS xtensor-torch-python)
target_link_libraries(xtensor-torch-python INTERFACE
    xtensor-torch::xtensor-torch pybind11::module ${XTENSOR_TORCH_TORCH_PYTHON_LIBRARY})

# xtensor-torch::nanobind: the same for nanobind modules (<xtensor-torch/nanobind.hpp>), without pybind11.
add_library(xtensor-torch-nanobind INTERFACE)
add_library(xtensor-torch::nanobind ALIAS xtensor-torch-nanobind)
target_link_libraries(xtensor-torch-nanobind INTERFACE xtensor-torch::xtensor-torch ${XTENSOR_TORCH_TORCH_PYTHON_LIBRARY})

# nanobind, where it is installed (Debian 13 and later): its CMake package wants FindPython's targets.
# -DXTENSOR_TORCH_REQUIRE_NANOBIND=ON makes it required (the Debian 13 and testing legs), so that a missing nanobind
# fails the configuration instead of skipping its tests.
set(Python_EXECUTABLE ${Python3_EXECUTABLE})
find_package(Python 3.8 COMPONENTS Interpreter Development.Module)
if(XTENSOR_TORCH_REQUIRE_NANOBIND)
    find_package(Python 3.8 REQUIRED COMPONENTS Interpreter Development.Module)
    find_package(nanobind CONFIG REQUIRED)
elseif(Python_FOUND)
    find_package(nanobind CONFIG QUIET)
endif()

# Where the modules land in the build tree: add it to PYTHONPATH to import them.
set(XTENSOR_TORCH_PYTHONPATH ${PROJECT_BINARY_DIR}/python)

# xtensor_torch_add_module(name sources...): a pybind11 module using the casters, built into
# ${XTENSOR_TORCH_PYTHONPATH}.
function(xtensor_torch_add_module name)
    pybind11_add_module(${name} MODULE ${ARGN})
    target_link_libraries(${name} PRIVATE xtensor-torch::python)
    target_compile_options(${name} PRIVATE -Wall -Wextra)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${XTENSOR_TORCH_PYTHONPATH})
endfunction()
