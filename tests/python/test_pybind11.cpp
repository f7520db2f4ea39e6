// _xtorch_test: a module that exercises every caster of <xtensor-torch/pybind11.hpp>, for the pytest
// suite next to it (test_pybind11.py).
#include <atomic>
#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
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

namespace py = pybind11;

void bind_second_translation_unit(py::module_& m);  // test_pybind11_odr.cpp

namespace
{
    using xtorch_test::counted_xarray;

    /// What xtensor sees of a view: shape, strides (elements) and the address of the first element.
    template <class V>
    py::tuple describe(const V& v)
    {
        std::vector<std::size_t> shape(v.shape().begin(), v.shape().end());
        std::vector<std::ptrdiff_t> strides(v.strides().begin(), v.strides().end());
        const auto address = reinterpret_cast<std::uintptr_t>(v.data() + v.data_offset());
        return py::make_tuple(py::tuple(py::cast(shape)), py::tuple(py::cast(strides)), address);
    }

    /// Holds a view for as long as Python holds the object.
    struct holder
    {
        xtorch::xarray_view<float> view;
    };

    template <class T>
    void bind_dtype(py::module_& m, const char* suffix)
    {
        // Every element becomes 10 * its flat index in xtensor's row-major order, through the strides.
        m.def((std::string("fill_") + suffix).c_str(),
              [](xtorch::xarray_view<T> v)
              {
                  std::size_t i = 0;
                  for (auto& x : v)
                  {
                      x = static_cast<T>(static_cast<float>(10 * i++));
                  }
              });
        m.def((std::string("copy_in_") + suffix).c_str(), [](xt::xarray<T> a) { return a; });
    }

    /// A DLPack capsule as producers make them: its destructor deletes the tensor unless it was consumed.
    py::capsule dlpack_capsule(DLManagedTensor* managed)
    {
        return py::capsule(managed, "dltensor",
                           [](PyObject* capsule)
                           {
                               if (PyCapsule_IsValid(capsule, "dltensor"))
                               {
                                   auto* m = static_cast<DLManagedTensor*>(
                                       PyCapsule_GetPointer(capsule, "dltensor"));
                                   m->deleter(m);
                               }
                           });
    }

    /// Exports an xtensor container through DLPack, for numpy.from_dlpack and torch.from_dlpack.
    struct exporter
    {
        counted_xarray data;
        bool owning;

        py::capsule dlpack(py::object /*stream*/)
        {
            if (owning)
            {
                return dlpack_capsule(xtorch::to_dlpack(counted_xarray(data)));  // a moved copy
            }
            return dlpack_capsule(xtorch::to_dlpack(data));  // borrows: this object must outlive the consumer
        }
    };
}

#if PYBIND11_VERSION_HEX >= 0x020D0000
PYBIND11_MODULE(_xtorch_test, m, py::mod_gil_not_used())
#else
PYBIND11_MODULE(_xtorch_test, m)
#endif
{
    xtorch::python::import_torch();

    // For the threads test: the body runs without the GIL, as a long computation would.
    m.def("fill_released", [](xtorch::xarray_view<double> v, double x) { v.fill(x); },
          py::call_guard<py::gil_scoped_release>());
    m.def("total_released", [](xtorch::xarray_view<const double> v) { return xt::sum(v)(); },
          py::call_guard<py::gil_scoped_release>());

    m.def("frees", [] { return xtorch_test::frees().load(); });
    m.def("last_allocation", [] { return xtorch_test::last_allocation().load(); });

    // Views: writes are seen by the caller.
    m.def("scale", [](xtorch::xarray_view<double> v, double f) { v *= f; });
    m.def("describe", [](xtorch::xarray_view<double> v) { return describe(v); });
    m.def("describe_2d", [](xtorch::xtensor_view<double, 2> v) { return describe(v); });
    m.def("total_const",
          [](xtorch::xarray_view<const float> v) { return static_cast<double>(xt::sum(v)()); });
    m.def("first_address", [](xtorch::xarray_view<float> v)
          { return reinterpret_cast<std::uintptr_t>(v.data() + v.data_offset()); });
    m.def("view_back", [](xtorch::xarray_view<float> v) { return v; });
    bind_dtype<bool>(m, "bool");
    bind_dtype<std::uint8_t>(m, "uint8");
    bind_dtype<std::int8_t>(m, "int8");
    bind_dtype<std::int16_t>(m, "int16");
    bind_dtype<std::int32_t>(m, "int32");
    bind_dtype<std::int64_t>(m, "int64");
    bind_dtype<c10::Half>(m, "float16");
    bind_dtype<float>(m, "float32");
    bind_dtype<double>(m, "float64");
    bind_dtype<std::complex<float>>(m, "complex64");
    bind_dtype<std::complex<double>>(m, "complex128");
    bind_dtype<c10::BFloat16>(m, "bfloat16");
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
    bind_dtype<std::uint16_t>(m, "uint16");
    bind_dtype<std::uint32_t>(m, "uint32");
    bind_dtype<std::uint64_t>(m, "uint64");
#endif

    // Overloads: the first pass without conversions picks the matching dtype.
    m.def("which", [](xtorch::xarray_view<float>) { return "float32"; });
    m.def("which", [](xtorch::xarray_view<double>) { return "float64"; });

    // Tensors: the caller's tensor itself.
    m.def("identity", [](at::Tensor t) { return t; });
    bind_second_translation_unit(m);
    m.def("as_python", [](const at::Tensor& t) { return xtorch::python::as_python(t); });
    m.def("as_xarray_sum", [](const at::Tensor& t)
          { return xt::sum(xtorch::python::as_xarray<const double>(t, "as_xarray_sum(x)"))(); });
    m.def("tensor_address",
          [](const at::Tensor& t) { return reinterpret_cast<std::uintptr_t>(t.data_ptr()); });
    m.def("add_one_", [](at::Tensor t) { t.add_(1); });
    m.def("undefined_tensor", [] { return at::Tensor(); });

    // Containers: copied in, moved out.
    m.def("copy_in_2d", [](xt::xtensor<double, 2> a) { return a; });
    m.def("copy_in_address",
          [](const xt::xarray<float>& a) { return reinterpret_cast<std::uintptr_t>(a.data()); });
    m.def("make_counted",
          [](std::size_t n)
          {
              counted_xarray a = xt::arange<double>(static_cast<double>(n));
              return a;
          });
    m.def("make_xtensor", [] { return xt::xtensor<float, 2>{{1, 2, 3}, {4, 5, 6}}; });

    py::class_<holder>(m, "Holder")
        .def(py::init([](xtorch::xarray_view<float> v) { return holder{std::move(v)}; }))
        .def("total", [](const holder& h) { return static_cast<double>(xt::sum(h.view)()); })
        .def("fill", [](holder& h, float x) { h.view.fill(x); });

    // Drops a view in another thread, with the GIL released: the deleter must take the GIL itself.
    m.def("drop_in_thread",
          [](xtorch::xarray_view<float> v)
          {
              auto view = std::make_unique<xtorch::xarray_view<float>>(std::move(v));
              py::gil_scoped_release release;
              std::thread([view = std::move(view)]() mutable { view.reset(); }).join();
          });

    // The member returned by reference: copied by default, borrowed under reference_internal.
    struct box
    {
        xt::xarray<double> data = xt::arange<double>(4.);
    };
    py::class_<box>(m, "Box")
        .def(py::init<>())
        .def("copied", [](box& b) -> const xt::xarray<double>& { return b.data; })
        .def(
            "borrowed", [](box& b) -> xt::xarray<double>& { return b.data; },
            py::return_value_policy::reference_internal)
        .def("first", [](const box& b) { return b.data(0); })
        // Under return_value_policy::reference nothing keeps the Box alive: the sanitizer canary's bug.
        .def(
            "borrowed_unsafe", [](box& b) -> xt::xarray<double>& { return b.data; },
            py::return_value_policy::reference);
    m.def("total64", [](xtorch::xarray_view<const double> v) { return xt::sum(v)(); });

    // A member whose buffer the counting allocator frees: returned under reference_internal, the tensor
    // and everything made from it must keep the Owner, and so the buffer, alive.
    struct owner
    {
        counted_xarray data;
    };
    py::class_<owner>(m, "Owner")
        .def(py::init([](std::size_t n)
                      { return owner{counted_xarray(xt::arange<double>(static_cast<double>(n)))}; }))
        .def(
            "borrowed", [](owner& o) -> counted_xarray& { return o.data; },
            py::return_value_policy::reference_internal)
        .def("address", [](const owner& o) { return reinterpret_cast<std::uintptr_t>(o.data.data()); });

    // A view kept by C++ after the call that made it: the tensor's storage must stay where the view is.
    static std::optional<xtorch::xarray_view<float>> kept;
    m.def("keep", [](xtorch::xarray_view<float> v) { kept.emplace(std::move(v)); });
    m.def("kept_total", [] { return static_cast<double>(xt::sum(*kept)()); });
    m.def("kept_fill", [](float x) { kept->fill(x); });
    m.def("drop_kept", [] { kept.reset(); });

    // Copies take what numpy.asarray takes: numbers, numpy scalars, nested lists, unaligned arrays.
    m.def("copy_in_3d", [](xt::xtensor<double, 3> a) { return a; });
    m.def("copy_sum", [](const xt::xarray<double>& a) { return xt::sum(a)(); });
    m.def("copy_sum_float32", [](const xt::xarray<float>& a) { return static_cast<double>(xt::sum(a)()); });
    m.def("overloaded", [](const xt::xarray<double>&) { return "array"; });
    m.def("overloaded", [](const std::string&) { return "string"; });

    // DLPack, C++ side.
    py::class_<exporter>(m, "Exporter")
        .def(py::init(
                 [](std::size_t n, bool owning) {
                     return exporter{counted_xarray(xt::arange<double>(static_cast<double>(n))), owning};
                 }),
             py::arg("n"), py::arg("owning"))
        .def("__dlpack__", &exporter::dlpack, py::arg("stream") = py::none())
        .def("__dlpack_device__", [](const exporter&) { return py::make_tuple(1, 0); })
        .def("address", [](const exporter& e) { return reinterpret_cast<std::uintptr_t>(e.data.data()); });
    m.def("from_dlpack_sum",
          [](py::capsule capsule)
          {
              auto* managed = static_cast<DLManagedTensor*>(capsule.get_pointer());
              PyCapsule_SetName(capsule.ptr(), "used_dltensor");
              auto v = xtorch::from_dlpack<double>(managed);
              return static_cast<double>(xt::sum(v)());
          });

    // How a torch.Tensor's TensorImpl is found: torch's layout, probed at import, against `_cdata`.
    m.def("uses_layout_probe", &xtorch::python::detail::uses_layout_probe);
    m.def("impl_both_ways",
          [](py::handle obj)
          {
              const xtorch::python::detail::borrowed_tensor borrowed(obj.ptr());
              const auto cdata =
                  py::reinterpret_borrow<py::object>(obj).attr("_cdata").cast<std::uintptr_t>();
              return std::make_pair(reinterpret_cast<std::uintptr_t>(borrowed.get().unsafeGetTensorImpl()),
                                    cdata);
          });

    // The import check, with the version and ABI flag given.
    m.def("torch_mismatch", &xtorch::python::torch_mismatch);
}
