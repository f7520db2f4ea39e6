// What the translation units of the _xtorch_test module share: the headers under test, and one bind_* function
// per python/ header, each in its test_<header>.cpp beside its test_<header>.py (pybind11's own layout).
#ifndef XTENSOR_TORCH_TESTS_CASTERS_MODULE_HPP
#define XTENSOR_TORCH_TESTS_CASTERS_MODULE_HPP

#include <cstdint>
#include <string>
#include <vector>

// Debian's DLPack header first: <ATen/dlpack.h> is the same version behind the same include guard.
#include <dlpack/dlpack.h>
#include <pybind11/stl.h>
#include <xtensor-torch/pybind11.hpp>

#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xarray)
#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xbuilder)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xtensor)

#include "../counting.hpp"

namespace casters_test
{
    namespace py = pybind11;

    void bind_view_caster(py::module_& m);              // test_view_caster.cpp
    void bind_importers(py::module_& m);                // test_importers.cpp
    void bind_tensor_caster(py::module_& m);            // test_tensor_caster.cpp
    void bind_container_caster(py::module_& m);         // test_container_caster.cpp
    void bind_expression_caster(py::module_& m);        // test_expression_caster.cpp
    void bind_torch_object(py::module_& m);             // test_torch_object.cpp
    void bind_import_torch(py::module_& m);             // test_import_torch.cpp
    void bind_second_translation_unit(py::module_& m);  // test_pybind11_odr.cpp

    /// What xtensor sees of a view: shape, strides (elements) and the address of the first element.
    template <class V>
    py::tuple describe(const V& v)
    {
        std::vector<std::size_t> shape(v.shape().begin(), v.shape().end());
        std::vector<std::ptrdiff_t> strides(v.strides().begin(), v.strides().end());
        const auto address = reinterpret_cast<std::uintptr_t>(v.data() + v.data_offset());
        return py::make_tuple(py::tuple(py::cast(shape)), py::tuple(py::cast(strides)), address);
    }
}

#endif
