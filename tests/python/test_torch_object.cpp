// Bindings for test_torch_object.py: how a torch.Tensor's TensorImpl is found, allocation counters, views used
// and dropped without the GIL.
#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include "casters_module.hpp"

namespace casters_test
{
    void bind_torch_object(py::module_& m)
    {

        // For the threads tests: the body runs without the GIL, as a long computation would.
        m.def(
            "fill_released", [](xtorch::xarray_view<double> v, double x) { v.fill(x); },
            py::call_guard<py::gil_scoped_release>());
        m.def(
            "total_released", [](xtorch::xarray_view<const double> v) { return xt::sum(v)(); },
            py::call_guard<py::gil_scoped_release>());

        // Drops a view in another thread, with the GIL released: the deleter must take the GIL itself.
        m.def("drop_in_thread",
              [](xtorch::xarray_view<float> v)
              {
                  auto view = std::make_unique<xtorch::xarray_view<float>>(std::move(v));
                  py::gil_scoped_release release;
                  std::thread([view = std::move(view)]() mutable { view.reset(); }).join();
              });

        // The deleter's test for the GIL (it drops a reference directly when this thread holds the GIL), asked
        // with the GIL and, for `seconds`, without it while other Python threads may run.
        m.def("holds_gil", &xtorch::python::detail::holds_gil);
        m.def("holds_gil_while_released",
              [](double seconds)
              {
                  const py::gil_scoped_release release;
                  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
                  while (std::chrono::steady_clock::now() < end)
                  {
                      if (xtorch::python::detail::holds_gil())
                      {
                          return true;
                      }
                  }
                  return false;
              });

        // torch's layout, probed at import, against `_cdata`.
        m.def("uses_layout_probe", &xtorch::python::detail::uses_layout_probe);
        m.def("impl_both_ways",
              [](py::handle obj)
              {
                  const xtorch::python::detail::borrowed_tensor borrowed(obj.ptr());
                  const auto cdata =
                      py::reinterpret_borrow<py::object>(obj).attr("_cdata").cast<std::uintptr_t>();
                  return std::make_pair(
                      reinterpret_cast<std::uintptr_t>(borrowed.get().unsafeGetTensorImpl()), cdata);
              });
    }
}
