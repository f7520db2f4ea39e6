// _xtorch_test: the module that exercises every caster of <xtensor-torch/pybind11.hpp>, one test_<header>.cpp per
// python/ header (each with its test_<header>.py), bound here into one module.
#include "casters_module.hpp"

#if PYBIND11_VERSION_HEX >= 0x020D0000
PYBIND11_MODULE(_xtorch_test, m, pybind11::mod_gil_not_used())
#else
PYBIND11_MODULE(_xtorch_test, m)
#endif
{
    xtorch::python::import_torch();
    casters_test::bind_view_caster(m);
    casters_test::bind_importers(m);
    casters_test::bind_tensor_caster(m);
    casters_test::bind_container_caster(m);
    casters_test::bind_expression_caster(m);
    casters_test::bind_torch_object(m);
    casters_test::bind_import_torch(m);
    casters_test::bind_second_translation_unit(m);
    casters_test::bind_counters(m);
}
