// Bindings for test_import_torch.py: the import check, with the version and ABI flag given.
#include "casters_module.hpp"

namespace casters_test
{
    void bind_import_torch(py::module_& m)
    {
        m.def("torch_mismatch", &xtorch::python::torch_mismatch);
    }
}
