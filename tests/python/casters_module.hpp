// What the translation units of the caster test modules share: the headers under test, and one bind_* function
// per python/ header, each in its test_<header>.cpp beside its test_<header>.py (pybind11's own layout). The same
// sources build _xtorch_test with pybind11 and, where XTENSOR_TORCH_TEST_NANOBIND is defined, _xtorch_test_nb
// with nanobind: `py` names the binding library, and the few spellings that differ are below.
#ifndef XTENSOR_TORCH_TESTS_CASTERS_MODULE_HPP
#define XTENSOR_TORCH_TESTS_CASTERS_MODULE_HPP

#include <cstdint>
#include <string>
#include <vector>

// Debian's DLPack header first: <ATen/dlpack.h> is the same version behind the same include guard.
#include <dlpack/dlpack.h>
#if defined(XTENSOR_TORCH_TEST_NANOBIND)
#include <nanobind/nanobind.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <xtensor-torch/nanobind.hpp>
#else
#include <pybind11/stl.h>
#include <xtensor-torch/pybind11.hpp>
#endif

#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xarray)
#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xbuilder)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xtensor)

#include "../counting.hpp"

namespace casters_test
{
#if defined(XTENSOR_TORCH_TEST_NANOBIND)
    namespace py = nanobind;
    using policy = nanobind::rv_policy;

    /// A constructor from a factory function.
    template <class F>
    auto factory(F&& f)
    {
        return nanobind::new_(std::forward<F>(f));
    }

    inline py::object steal(PyObject* p)
    {
        return nanobind::steal(p);
    }

    inline py::object as_python(const at::Tensor& t)
    {
        return nanobind::cast(t);
    }
#else
    namespace py = pybind11;
    using policy = pybind11::return_value_policy;

    template <class F>
    auto factory(F&& f)
    {
        return pybind11::init(std::forward<F>(f));
    }

    inline py::object steal(PyObject* p)
    {
        return pybind11::reinterpret_steal<pybind11::object>(p);
    }

    inline py::object as_python(const at::Tensor& t)
    {
        return xtorch::python::as_python(t);
    }
#endif

    /// A Python tuple of the numbers in `values`.
    template <class Sequence>
    py::object tuple_of(const Sequence& values)
    {
        PyObject* t = PyTuple_New(static_cast<Py_ssize_t>(values.size()));
        Py_ssize_t i = 0;
        for (const auto v : values)
        {
            PyTuple_SET_ITEM(t, i++, PyLong_FromLongLong(static_cast<long long>(v)));
        }
        return steal(t);
    }

    void bind_view_caster(py::module_& m);              // test_view_caster.cpp
    void bind_importers(py::module_& m);                // test_importers.cpp
    void bind_tensor_caster(py::module_& m);            // test_tensor_caster.cpp
    void bind_container_caster(py::module_& m);         // test_container_caster.cpp
    void bind_expression_caster(py::module_& m);        // test_expression_caster.cpp
    void bind_torch_object(py::module_& m);             // test_torch_object.cpp
    void bind_import_torch(py::module_& m);             // test_import_torch.cpp
    void bind_second_translation_unit(py::module_& m);  // test_pybind11_odr.cpp

    /// The allocation counters of counting.hpp, for the tests of lifetimes.
    inline void bind_counters(py::module_& m)
    {
        m.def("frees", [] { return xtorch_test::frees().load(); });
        m.def("last_allocation", [] { return xtorch_test::last_allocation().load(); });
    }

    /// What xtensor sees of a view: shape, strides (elements) and the address of the first element.
    template <class V>
    py::object describe(const V& v)
    {
        const auto address = reinterpret_cast<std::uintptr_t>(v.data() + v.data_offset());
        return py::make_tuple(tuple_of(v.shape()), tuple_of(v.strides()), address);
    }
}

#endif
