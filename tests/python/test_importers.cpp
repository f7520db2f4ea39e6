// Bindings for test_importers.py: DLPack exports made in C++ for numpy and torch, and capsules read in C++ (the
// numpy and DLPack sources themselves are read by the view and tensor parameters of the other files).
#include "casters_module.hpp"

namespace casters_test
{
    namespace
    {
        using xtorch_test::counted_xarray;

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
                return dlpack_capsule(
                    xtorch::to_dlpack(data));  // borrows: this object must outlive the consumer
            }
        };
    }

    void bind_importers(py::module_& m)
    {
        py::class_<exporter>(m, "Exporter")
            .def(py::init(
                     [](std::size_t n, bool owning) {
                         return exporter{counted_xarray(xt::arange<double>(static_cast<double>(n))), owning};
                     }),
                 py::arg("n"), py::arg("owning"))
            .def("__dlpack__", &exporter::dlpack, py::arg("stream") = py::none())
            .def("__dlpack_device__", [](const exporter&) { return py::make_tuple(1, 0); })
            .def("address",
                 [](const exporter& e) { return reinterpret_cast<std::uintptr_t>(e.data.data()); });
        m.def("from_dlpack_sum",
              [](py::capsule capsule)
              {
                  auto* managed = static_cast<DLManagedTensor*>(capsule.get_pointer());
                  PyCapsule_SetName(capsule.ptr(), "used_dltensor");
                  auto v = xtorch::from_dlpack<double>(managed);
                  return static_cast<double>(xt::sum(v)());
              });
    }
}
