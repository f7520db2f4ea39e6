// xtorch_examples: C++ functions written with xtensor, called from Python with torch tensors and numpy
// arrays through the casters of <xtensor-torch/pybind11.hpp>. The notebooks in examples/notebooks use it.
//
//   scale_(x, factor)        in place, on the caller's memory (float32 or float64)
//   to_float32(x)            a float64 array or tensor cast into a new float32 tensor (others converted first)
//   sine(n, periods)         a tensor made by xtensor, handed over without a copy
//   make_regression(...)     the tutorial's synthetic data y = w x + b + noise, float32
//   residuals(pred, target)  pred - target, computed by xtensor over both inputs' memory
//   describe(x)              what xtensor sees: dtype, shape, strides, address
#include <cmath>
#include <complex>
#include <cstdint>
#include <string>

#include <pybind11/stl.h>
#include <xtensor-torch/pybind11.hpp>

#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xbuilder)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)
#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xrandom)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xtensor)

namespace py = pybind11;

namespace
{
    template <class T>
    void scale_in_place(xtorch::xarray_view<T> x, double factor)
    {
        x *= static_cast<T>(factor);  // writes through the view's strides into the caller's memory
    }

    /// y = weight * x + bias + noise, with x uniform in [-1, 1): both (n, 1) float32, as nn.Linear wants.
    py::tuple make_regression(std::size_t n, float weight, float bias, float noise, std::uint64_t seed)
    {
        xt::random::seed(seed);
        xt::xtensor<float, 2> x = xt::random::rand<float>({n, std::size_t(1)}, -1.f, 1.f);
        xt::xtensor<float, 2> y =
            weight * x + bias + xt::random::randn<float>({n, std::size_t(1)}, 0.f, noise);
        // Returned containers move into the tensors: no copy.
        return py::make_tuple(std::move(x), std::move(y));
    }

    py::dict describe(const at::Tensor& t)
    {
        py::dict d;
        d["dtype"] = xtorch::python::dtype_name(t.scalar_type());
        d["shape"] = std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end());
        d["strides"] = std::vector<std::int64_t>(t.strides().begin(), t.strides().end());
        d["address"] = reinterpret_cast<std::uintptr_t>(t.data_ptr());
        return d;
    }
}

// The casters keep no unsynchronised state, so this module declares that it runs without the GIL on
// free-threaded Python (3.13t+; pybind11 2.13+): its own functions share nothing either. That is each
// module's choice, for its own code.
#if PYBIND11_VERSION_HEX >= 0x020D0000
PYBIND11_MODULE(xtorch_examples, m, pybind11::mod_gil_not_used())
#else
PYBIND11_MODULE(xtorch_examples, m)
#endif
{
    xtorch::python::import_torch();
    m.doc() = "C++ functions written with xtensor, taking and returning torch tensors and numpy arrays.";
    m.attr("__version__") = std::to_string(XTENSOR_TORCH_VERSION_MAJOR) + "."
                            + std::to_string(XTENSOR_TORCH_VERSION_MINOR) + "."
                            + std::to_string(XTENSOR_TORCH_VERSION_PATCH);
    m.attr("built_with_torch") = std::string(TORCH_VERSION);

    // One binding for two dtypes: at::Tensor takes the caller's memory as it is, and C++ picks the view
    // (python::as_xarray refuses as an xarray_view parameter would, in Python terms).
    // (Two overloads taking xarray_view<float> and xarray_view<double> would work for scale_(t, 2.0),
    // but pybind11 converts the int in scale_(t, 2) only in its second pass, where the first
    // overload's refusal of the other dtype is final: see the README.)
    m.def(
        "scale_",
        [](const at::Tensor& x, double factor)
        {
            if (x.scalar_type() == at::kFloat)
            {
                scale_in_place(xtorch::python::as_xarray<float>(x, "scale_(x)"), factor);
            }
            else if (x.scalar_type() == at::kDouble)
            {
                scale_in_place(xtorch::python::as_xarray<double>(x, "scale_(x)"), factor);
            }
            else
            {
                throw py::type_error(
                    "scale_: dtype mismatch (found " + xtorch::python::dtype_name(x.scalar_type())
                    + ", expected float32 or float64). Pass x.float() or x.double() (a copy).");
            }
        },
        py::arg("x"), py::arg("factor"),
        "Multiplies x by factor in place: x is a float32 or float64 torch.Tensor or numpy.ndarray, any strides.");

    m.def(
        "to_float32", [](xtorch::xarray_view<const double> x) { return xtorch::to_tensor(x, at::kFloat); },
        py::arg("x"),
        "A new float32 tensor with the values of the float64 x (a copy: one pass, cast included).");

    m.def(
        "sine",
        [](std::size_t n, double periods)
        {
            xt::xarray<double> x = xt::sin(xt::linspace<double>(0., 2. * M_PI * periods, n));
            return x;  // moved into the tensor
        },
        py::arg("n"), py::arg("periods") = 1.0,
        "sin over [0, 2 pi periods], n float64 samples, made by xtensor.");

    m.def("make_regression", &make_regression, py::arg("n") = 100, py::arg("weight") = 2.f,
          py::arg("bias") = 1.f, py::arg("noise") = 0.1f, py::arg("seed") = 42,
          "(x, y): float32 tensors of shape (n, 1) with y = weight * x + bias + N(0, noise), seeded.");

    m.def(
        "residuals",
        [](xtorch::xarray_view<const float> predicted, xtorch::xarray_view<const float> target)
        {
            xt::xarray<float> r = predicted - target;
            return r;
        },
        py::arg("predicted"), py::arg("target"),
        "predicted - target, float32 (predictions may require grad: they are only read).");

    m.def("describe", &describe, py::arg("x"),
          "What C++ receives: dtype, shape, strides (elements) and the address of the data, without a copy.");
}
