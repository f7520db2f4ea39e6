// Bindings for test_view_caster.py: xarray_view / xtensor_view parameters and results.
#include <complex>
#include <optional>

#include "casters_module.hpp"

namespace casters_test
{
    namespace
    {
        /// Holds a view for as long as Python holds the object.
        struct holder
        {
            xtorch::xarray_view<float> view;
        };

        /// The same for a view of const elements, which may be over a converted copy.
        struct const_holder
        {
            xtorch::xarray_view<const double> view;
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
            // What a const view reads, element by element in row-major order, copied out: converting, or exact.
            m.def((std::string("read_") + suffix).c_str(),
                  [](xtorch::xarray_view<const T> v) { return xt::xarray<T>(v); });
            m.def((std::string("read_exact_") + suffix).c_str(),
                  [](xtorch::xarray_view<const T> v) { return xt::xarray<T>(v); }, py::arg("x").noconvert());
        }
    }

    void bind_view_caster(py::module_& m)
    {
        // Views: writes are seen by the caller.
        m.def("scale", [](xtorch::xarray_view<double> v, double f) { v *= f; });
        m.def("describe", [](xtorch::xarray_view<double> v) { return describe(v); });
        m.def("describe_2d", [](xtorch::xtensor_view<double, 2> v) { return describe(v); });
        m.def("total_const",
              [](xtorch::xarray_view<const float> v) { return static_cast<double>(xt::sum(v)()); });
        m.def("total64", [](xtorch::xarray_view<const double> v) { return xt::sum(v)(); });
        m.def("first_address", [](xtorch::xarray_view<float> v)
              { return reinterpret_cast<std::uintptr_t>(v.data() + v.data_offset()); });
        m.def("view_back", [](xtorch::xarray_view<float> v) { return v; });
        // The same view through every spelling of a parameter: by value, &, &&, pointer, const&.
        m.def("scale_by_ref", [](xtorch::xarray_view<double>& v, double f) { v *= f; });
        m.def("scale_by_rvalue_ref", [](xtorch::xarray_view<double>&& v, double f) { v *= f; });
        m.def("scale_by_pointer", [](xtorch::xarray_view<double>* v, double f) { *v *= f; });
        m.def("scale_2d_by_ref", [](xtorch::xtensor_view<double, 2>& v, double f) { v *= f; });
        m.def("total_by_const_ref", [](const xtorch::xarray_view<const double>& v) { return xt::sum(v)(); });
        // Every dtype, as a view (fill_) and as a copy (copy_in_).
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
        // Overloads by dtype and by rank of const views, tried in order: a refusing one must leave its argument
        // (a DLPack capsule) as it found it.
        m.def("which_const", [](xtorch::xarray_view<const float>) { return "float32"; });
        m.def("which_const", [](xtorch::xarray_view<const double>) { return "float64"; });
        m.def("which_rank", [](xtorch::xtensor_view<const double, 1>) { return 1; });
        m.def("which_rank", [](xtorch::xtensor_view<const double, 2>) { return 2; });
        // Writes each element once: over memory that elements share, a view would write it more than once.
        m.def("increment_", [](xtorch::xarray_view<float> v) { v += 1.0f; });
        m.def("total_of_const", [](xtorch::xarray_view<const float> v) { return static_cast<double>(xt::sum(v)()); });

        // Const views convert in pybind11's conversion pass (a copy that lives as long as the view); noconvert()
        // keeps them exact, and writable views never convert.
        m.def("total_exact", [](xtorch::xarray_view<const float> v) { return static_cast<double>(xt::sum(v)()); },
              py::arg("x").noconvert());
        m.def("describe_const", [](xtorch::xarray_view<const double> v) { return describe(v); });
        m.def("rank_of", [](xtorch::xtensor_view<const double, 1>) { return 1; });
        m.def("rank_of", [](xtorch::xtensor_view<const double, 2>) { return 2; });
        py::class_<const_holder>(m, "ConstHolder")
            .def(factory([](xtorch::xarray_view<const double> v) { return const_holder{std::move(v)}; }))
            .def("values", [](const const_holder& h) { return xt::xarray<double>(h.view); });

        py::class_<holder>(m, "Holder")
            .def(factory([](xtorch::xarray_view<float> v) { return holder{std::move(v)}; }))
            .def("total", [](const holder& h) { return static_cast<double>(xt::sum(h.view)()); })
            .def("fill", [](holder& h, float x) { h.view.fill(x); });

        // A view kept by C++ after the call that made it: the tensor's storage must stay where the view is.
        static std::optional<xtorch::xarray_view<float>> kept;
        m.def("keep", [](xtorch::xarray_view<float> v) { kept.emplace(std::move(v)); });
        m.def("kept_total", [] { return static_cast<double>(xt::sum(*kept)()); });
        m.def("kept_fill", [](float x) { kept->fill(x); });
        m.def("drop_kept", [] { kept.reset(); });

        // The count of references to the storage behind a view parameter, seen during the call: with the view
        // alone, then with a copy of it too; after the call, the tensor's own (storage_references).
        m.def("storage_references", [](const at::Tensor& t) { return t.storage().use_count(); });
        const auto counts = [](const xtorch::xarray_view<float>& v)
        {
            const auto alone = v.expression().storage().holder().use_count();
            const xtorch::xarray_view<float> copy = v;
            return std::make_pair(alone, copy.expression().storage().holder().use_count());
        };
        m.def("references_by_const_ref", [counts](const xtorch::xarray_view<float>& v) { return counts(v); });
        m.def("references_by_ref", [counts](xtorch::xarray_view<float>& v) { return counts(v); });
        m.def("references_by_rvalue_ref", [counts](xtorch::xarray_view<float>&& v) { return counts(v); });
        m.def("references_by_value", [counts](xtorch::xarray_view<float> v) { return counts(v); });
        // A view that C++ takes with py::cast from a temporary: the tensor is gone after the statement, the
        // view's reference keeps the storage (its count then is the view's alone), and its elements are read
        // through xtensor, where AddressSanitizer sees them.
        m.def("read_cast_of_temporary", [](const py::object& make)
              {
                  const auto v = py::cast<xtorch::xarray_view<float>>(make());
                  return std::make_pair(static_cast<double>(xt::sum(v)()),
                                        v.expression().storage().holder().use_count());
              });
    }
}
